"""The SLURM profile names exactly the workflow's rules that run as cluster jobs."""

from __future__ import annotations

import subprocess

import yaml
from conftest import REPO

PROFILE = REPO / "profiles" / "slurm" / "config.yaml"


def workflow_rules() -> set[str]:
    result = subprocess.run(["snakemake", "--list-rules"], cwd=REPO, capture_output=True,
                            text=True, check=True)  # fmt: skip
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


def local_rules() -> set[str]:
    text = (REPO / "Snakefile").read_text()
    block = text.split("localrules:")[1].split("\n\n")[0]
    return {name.strip(" ,") for name in block.split() if name.strip(" ,")}


def test_profile_sets_threads_and_resources_for_every_job_rule_and_no_other():
    profile = yaml.safe_load(PROFILE.read_text())
    rules, local = workflow_rules(), local_rules()
    assert local <= rules
    jobs = rules - local
    assert set(profile["set-threads"]) == jobs
    assert set(profile["set-resources"]) == jobs
    for rule in jobs:
        assert {"mem_mb", "runtime"} <= set(profile["set-resources"][rule]), rule
