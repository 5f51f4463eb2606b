"""The pipeline on a real one-node SLURM cluster (tests/slurm/start_cluster.sh), run as
docs/cluster.md says, one job of each rule: every result equals the local build's, and every
cluster job got the profile's threads, memory and time limit, the account and the partition.

Runs as root (the daemons run as root; SLURM and munge are installed with apt-get when
missing); skipped elsewhere with the reason, and failing instead in CI, where ``CI`` is set.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess

import pytest
import yaml
from pipeline import REPO, remove_one_output_per_rule, snakemake
from test_faults import assert_same_results

SCRIPTS = REPO / "tests" / "slurm"
PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
ACCOUNT = "nnreport-test"  # with accounting off, SLURM takes any account name
PARTITION = "nnreport"  # the test cluster's second partition; `debug` is its default
NOT_STARTED = 3  # start_cluster.sh: this machine has a slurm.conf of its own


def unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message + " (in CI the SLURM test must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def slurm_possible():
    """Skip (fail in CI) before any build where the cluster cannot be started."""
    if os.geteuid() != 0:
        unavailable("the SLURM test runs SLURM's daemons as root")
    if not shutil.which("slurmctld") and not shutil.which("apt-get"):
        unavailable("SLURM is not installed and there is no apt-get to install it")
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        unavailable("snakemake-executor-plugin-slurm is not installed (test extras)")


@pytest.fixture(scope="module")
def slurm_cluster(slurm_possible, request, tmp_path_factory):
    """A one-node SLURM cluster for this module; its daemons are stopped by pid at the end,
    also when the start or a test fails."""
    directory = tmp_path_factory.mktemp("slurm")
    stop = [str(SCRIPTS / "stop_cluster.sh"), str(directory)]
    request.addfinalizer(lambda: subprocess.run(stop, check=True))
    started = subprocess.run(
        [str(SCRIPTS / "start_cluster.sh"), str(directory)], capture_output=True, text=True
    )
    if started.returncode == NOT_STARTED:
        unavailable(started.stderr.strip())
    assert started.returncode == 0, started.stdout + started.stderr
    return directory


def slurm_jobs() -> list[dict[str, str]]:
    """Every job slurmctld still knows (finished ones too, for MinJobAge), as its fields."""
    listing = subprocess.run(
        ["scontrol", "show", "job", "--oneliner"], capture_output=True, text=True, check=True
    ).stdout
    return [
        dict(re.findall(r"(\S+?)=(\S*)", line))
        for line in listing.splitlines()
        if line.startswith("JobId=")
    ]


def rule_of(job: dict[str, str]) -> str:
    """The plugin's comment reads ``rule_<rule>_wildcards_<values>``."""
    return re.fullmatch(r"rule_(.+?)(_wildcards_.*)?", job["Comment"]).group(1)


def time_limit(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def test_slurm_gives_the_local_numbers_with_the_profiles_resources(
    slurm_possible, workflow, slurm_cluster, monkeypatch, request
):
    """One job of each rule through SLURM: the dataset's in a fresh copy, every other rule's
    in a copy of the local build with one output of each removed. (The local build is asked
    for after the first job, which does not need it: under ``pytest -n`` another worker may
    be making it meanwhile.)"""
    monkeypatch.setenv("SBATCH_ACCOUNT", ACCOUNT)
    monkeypatch.setenv("SBATCH_PARTITION", PARTITION)
    # docs/cluster.md's command; squeue for job states, since sacct needs accounting.
    command = ("--profile", "profiles/slurm", "--slurm-status-command", "squeue")
    cache = "resources/datasets/digits.json"
    snakemake(workflow, *command, targets=(cache,))
    built, built_clone = request.getfixturevalue("built"), request.getfixturevalue("built_clone")
    assert (workflow / cache).read_text() == (built / cache).read_text()
    remove_one_output_per_rule(built_clone)
    snakemake(built_clone, *command)
    assert (built_clone / "reports" / "report.pdf").stat().st_mtime > (
        built / "reports" / "report.pdf"
    ).stat().st_mtime
    assert_same_results(built_clone, built)

    profile = yaml.safe_load(PROFILE.read_text())
    jobs = slurm_jobs()
    assert {rule_of(job) for job in jobs} == set(profile["set-resources"])
    for job in jobs:
        rule = rule_of(job)
        resources = profile["set-resources"][rule]
        assert job["JobState"] == "COMPLETED", job
        assert job["Account"] == ACCOUNT and job["Partition"] == PARTITION, job
        assert job["NumCPUs"] == str(profile["set-threads"][rule]), job
        assert job["MinMemoryNode"] == f"{resources['mem_mb']}M", job
        assert job["TimeLimit"] == time_limit(resources["runtime"]), job
