"""The SLURM profile names exactly the workflow's rules that run as cluster jobs, and the
way docs/cluster.md gives an account and a partition keeps its resources."""

from __future__ import annotations

import re

import yaml
from conftest import REPO
from pipeline import dry_run

PROFILE = REPO / "profiles" / "slurm" / "config.yaml"


def local_rules() -> set[str]:
    text = (REPO / "Snakefile").read_text()
    block = text.split("localrules:")[1].split("\n\n")[0]
    return {name.strip(" ,") for name in block.split() if name.strip(" ,")}


def test_profile_sets_threads_and_resources_for_every_job_rule_and_no_other(snakemake_rules):
    profile = yaml.safe_load(PROFILE.read_text())
    rules, local = snakemake_rules, local_rules()
    assert local <= rules
    jobs = rules - local
    assert set(profile["set-threads"]) == jobs
    assert set(profile["set-resources"]) == jobs
    for rule in jobs:
        assert {"mem_mb", "runtime"} <= set(profile["set-resources"][rule]), rule


def planned_resources(output: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, resources) of every cluster job that a dry run lists (local rules left out)."""
    jobs = re.findall(r"^rule (\w+):\n(?:    .*\n)*?    resources: (.*)$", output, re.M)
    return [
        (rule, dict(item.split("=", 1) for item in text.split(", ")))
        for rule, text in jobs
        if rule not in local_rules()
    ]


def test_account_and_partition_from_the_environment_keep_the_profiles_resources(
    monkeypatch, workflow
):
    """As docs/cluster.md says: SBATCH_ACCOUNT / SBATCH_PARTITION beside the SLURM profile."""
    profile = yaml.safe_load(PROFILE.read_text())
    workdir = workflow
    (workdir / "config" / "digits.yaml").write_text("datasets: [digits]\n")
    args = "--configfile", "config/smoke.yaml", "config/digits.yaml", "--profile", "profiles/slurm"
    monkeypatch.setenv("SBATCH_ACCOUNT", "acme")
    monkeypatch.setenv("SBATCH_PARTITION", "short")
    jobs = planned_resources(dry_run(workdir, *args))
    assert {rule for rule, _ in jobs} == set(profile["set-resources"])
    for rule, resources in jobs:
        wanted = profile["set-resources"][rule]
        assert resources["mem_mb"] == str(wanted["mem_mb"]), rule
        assert resources["runtime"] == str(wanted["runtime"]), rule
        assert resources["slurm_account"] == "acme" and resources["slurm_partition"] == "short"

    monkeypatch.delenv("SBATCH_ACCOUNT")
    monkeypatch.delenv("SBATCH_PARTITION")
    for rule, resources in planned_resources(dry_run(workdir, *args)):
        assert resources["mem_mb"] == str(profile["set-resources"][rule]["mem_mb"]), rule
        assert "slurm_account" not in resources and "slurm_partition" not in resources
