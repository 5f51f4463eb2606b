"""Faults around the pipeline: kill -9, a concurrent second run, core counts.

Each test runs the real snakemake in its own scratch copy, on digits targets only (fast).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from pipeline import copy_workflow, planned_jobs, snakemake

from nnreport.results import load_record

TARGETS = (
    "results/digits/optimizers.json",
    "results/digits/dropout.json",
    "results/digits/hparam_search.json",
)


def start(workdir, target: str, *args: str) -> subprocess.Popen:
    command = ["snakemake", target, "--cores", "1", "--configfile", "config/smoke.yaml", *args]
    return subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out waiting"
        time.sleep(0.2)


def test_same_numbers_with_one_or_four_cores(tmp_path, data_dir):
    one, four = copy_workflow(tmp_path / "one"), copy_workflow(tmp_path / "four")
    snakemake(one, "--cores", "1", targets=TARGETS)
    snakemake(four, "--cores", "4", targets=TARGETS)
    for target in TARGETS:
        first, first_arrays = load_record(one / target)
        second, second_arrays = load_record(four / target)
        first.pop("seconds", None), second.pop("seconds", None)
        assert first == second, target
        assert first_arrays.keys() == second_arrays.keys()
        for key in first_arrays:  # bitwise, NaNs included
            assert first_arrays[key].tobytes() == second_arrays[key].tobytes(), (target, key)


def slow_dropout(workdir, epochs: int) -> str:
    """An extra config file that makes the digits dropout job run for a while."""
    path = workdir / "config" / "slow.yaml"
    path.write_text(f"per_dataset: {{digits: {{dropout: {{epochs: {epochs}}}}}}}\n")
    return str(path)


def test_second_run_in_the_same_folder_is_refused(tmp_path, data_dir):
    workdir = copy_workflow(tmp_path / "wf")
    slow = slow_dropout(workdir, 12000)
    first = start(workdir, TARGETS[1], "--configfile", "config/smoke.yaml", slow)
    log = workdir / "logs" / "digits" / "dropout.log"
    wait_for(lambda: log.is_file() and "steps" in log.read_text())  # the first is training
    second = snakemake(workdir, "--configfile", "config/smoke.yaml", slow, targets=TARGETS[1:2],
                       check=False)  # fmt: skip
    _, first_err = first.communicate(timeout=600)
    assert second.returncode != 0
    assert "lock" in second.stderr.lower()
    assert first.returncode == 0, first_err
    record, _ = load_record(workdir / TARGETS[1])
    assert record["settings_used"]["epochs"] == 12000


def test_kill_9_mid_job_leaves_no_finished_looking_result(tmp_path, data_dir):
    workdir = copy_workflow(tmp_path / "wf")
    slow = slow_dropout(workdir, 5000)
    run = start(workdir, TARGETS[1], "--configfile", "config/smoke.yaml", slow)
    log = workdir / "logs" / "digits" / "dropout.log"
    wait_for(lambda: log.is_file() and "steps" in log.read_text())  # training has started
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    results = workdir / "results" / "digits"
    assert not (results / "dropout.json").exists() and not (results / "dropout.npz").exists()
    jobs = planned_jobs(
        workdir, "--configfile", "config/smoke.yaml", str(slow), targets=TARGETS[1:2]
    )
    assert jobs == {"run_experiment": 1}
