"""Faults around the pipeline: kill -9, a job dying mid-write, a corrupted result, one
dataset failing under ``-k``, a concurrent second run, core counts, a cluster executor.

Each test runs the real snakemake in its own scratch copy (digits targets where that is
enough; a clone of the session's smoke build where a built project is needed).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

import pytest
from pipeline import (
    REPO,
    copy_workflow,
    environment,
    planned_jobs,
    remove_one_output_per_rule,
    snakemake,
)

from nnreport import experiments
from nnreport.results import load_record

TARGETS = (
    "results/digits/optimizers.json",
    "results/digits/dropout.json",
    "results/digits/hparam_search.json",
)


def start(workdir, target: str, *args: str, env=None) -> subprocess.Popen:
    command = ["snakemake", target, "--cores", "1", "--configfile", "config/smoke.yaml", *args]
    return subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=env or environment(workdir),
    )


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out waiting"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def failing_mnist(trains, data_dir, tmp_path_factory):
    """MNIST and digits built with ``-k`` on one core, MNIST's test labels broken."""
    workdir = copy_workflow(tmp_path_factory.mktemp("keep-going"))
    broken = workdir / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz"
    broken.unlink()
    broken.write_bytes(b"\x1f\x8b this is not gzip data")
    (workdir / "config" / "two.yaml").write_text("datasets: [mnist, digits]\n")
    run = snakemake(
        workdir,
        "--configfile",
        "config/smoke.yaml",
        "config/two.yaml",
        "-k",
        "--cores",
        "1",
        check=False,
    )
    return workdir, run


def slow_dropout(workdir, epochs: int) -> str:
    """An extra config file that makes the digits dropout job run for a while."""
    path = workdir / "config" / "slow.yaml"
    path.write_text(f"per_dataset: {{digits: {{dropout: {{epochs: {epochs}}}}}}}\n")
    return str(path)


# Loaded by every Python process of a run (first on PYTHONPATH): a job holds its result back
# until the test creates the gate file, so the run is certainly still going.
HOLD_AT_GATE = """
import os, time
from pathlib import Path
import nnreport.runner as runner
_write_result = runner.write_result
def write_result(out, record, arrays):
    gate = Path(os.environ["NNREPORT_TEST_GATE"])
    gate.with_name("waiting").touch()
    while not gate.exists():
        time.sleep(0.1)
    return _write_result(out, record, arrays)
runner.write_result = write_result
"""


def hooked(workdir, folder, code: str) -> dict[str, str]:
    """The run's environment with ``code`` as a sitecustomize module in ``folder``."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(code)
    env = environment(workdir)
    env["PYTHONPATH"] = f"{folder}{os.pathsep}{env['PYTHONPATH']}"
    return env


def test_second_run_in_the_same_folder_is_refused(tmp_path, data_dir, workflow):
    env = hooked(workflow, tmp_path / "hooks", HOLD_AT_GATE)
    env["NNREPORT_TEST_GATE"] = str(tmp_path / "gate")
    first = start(workflow, TARGETS[1], env=env)
    wait_for(lambda: (tmp_path / "waiting").exists())  # the first run's job is running
    second = snakemake(workflow, targets=TARGETS[1:2], check=False)
    (tmp_path / "gate").touch()
    _, first_err = first.communicate(timeout=600)
    assert second.returncode != 0
    assert "lock" in second.stderr.lower()
    assert first.returncode == 0, first_err
    load_record(workflow / TARGETS[1])  # the first run finished its job


def test_kill_9_mid_job_leaves_no_finished_looking_result(data_dir, workflow):
    workdir = workflow
    slow = slow_dropout(workdir, 5000)
    run = start(workdir, TARGETS[1], "--configfile", "config/smoke.yaml", slow)
    log = workdir / "logs" / "digits" / "dropout.log"
    wait_for(lambda: log.is_file() and "steps" in log.read_text())  # training has started
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)  # reaps it and closes its pipes
    results = workdir / "results" / "digits"
    assert not (results / "dropout.json").exists() and not (results / "dropout.npz").exists()
    jobs = planned_jobs(
        workdir, "--configfile", "config/smoke.yaml", str(slow), targets=TARGETS[1:2]
    )
    assert jobs == {"run_experiment": 1}


# Loaded by every Python process of the run (it is first on PYTHONPATH): the process that
# writes optimizers.npz is killed right after, with its JSON still unwritten.
DIE_AFTER_NPZ = """
import os, signal
from pathlib import Path
import nnreport.results as results
_save_arrays = results.save_arrays
def save_arrays(path, arrays):
    digest = _save_arrays(path, arrays)
    if Path(path).name == "optimizers.npz":
        os.kill(os.getpid(), signal.SIGKILL)
    return digest
results.save_arrays = save_arrays
"""


def test_a_job_dying_after_part_of_its_output_leaves_nothing(tmp_path, data_dir, workflow):
    workdir = workflow
    env = hooked(workdir, tmp_path / "hooks", DIE_AFTER_NPZ)
    command = ["snakemake", TARGETS[0], "--cores", "1", "--configfile", "config/smoke.yaml"]
    run = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "optimizers.npz" in run.stderr  # Snakemake names what it removed
    folder = workdir / "results" / "digits"  # Snakemake also drops the emptied folder
    left = [p.name for p in folder.iterdir()] if folder.exists() else []
    assert not [name for name in left if "optimizers" in name], left


def test_missing_data_is_explained_on_the_console(data_dir, workflow):
    """The workflow profile (profiles/default) prints a failing job's log: the user sees the
    one-paragraph error without opening logs/, and no Python traceback."""
    workdir = workflow
    shutil.rmtree(workdir / "data" / "mnist")
    run = snakemake(workdir, targets=("resources/datasets/mnist.npz",), check=False)
    console = run.stdout + run.stderr
    assert run.returncode != 0
    assert "nnreport: error: The MNIST files" in console and "NNREPORT_DATA_DIR" in console
    assert "Traceback" not in console


def test_keep_going_with_one_dataset_failing(failing_mnist):
    workdir, run = failing_mnist
    assert run.returncode != 0
    assert "t10k-labels-idx1-ubyte.gz" in (workdir / "logs" / "prepare" / "mnist.log").read_text()
    for experiment in ("optimizers", "hparam_search", "tf_mlp", "gradient_check"):
        load_record(workdir / "results" / "digits" / f"{experiment}.json")  # finished
    assert not (workdir / "results" / "mnist").exists()
    assert not (workdir / "reports").exists()  # no report, complete-looking or not


def test_same_numbers_with_one_or_four_cores(failing_mnist, built):
    """The digits and dataset-free results built on one core (beside a failing MNIST) equal
    those of the session's build on four, bitwise."""
    workdir, _ = failing_mnist
    one = results_without_timings(workdir)
    four = {
        k: v
        for k, v in results_without_timings(built).items()
        if k.startswith(("results/digits/", "results/general/"))
    }
    assert one.keys() == four.keys() and len(one) > 10
    for name in one:
        assert one[name] == four[name], name


def test_corrupted_result_is_named_and_regenerated(built_clone):
    workdir = built_clone
    npz = workdir / "results" / "digits" / "optimizers.npz"
    before, before_arrays = load_record(npz.with_suffix(".json"))
    npz.write_bytes(npz.read_bytes()[:-100])  # truncated, e.g. by a full disk
    first = snakemake(workdir, check=False)
    assert first.returncode != 0
    log = (workdir / "logs" / "digits" / "figures" / "optimizers.log").read_text()
    assert "results/digits/optimizers.npz does not match the checksum" in log
    assert not npz.exists() and npz.with_name("optimizers.npz.corrupt").is_file()
    snakemake(workdir)  # the job that wrote it reruns, then what reads it
    after, after_arrays = load_record(npz.with_suffix(".json"))
    before.pop("seconds"), after.pop("seconds")
    assert after == before
    assert all(after_arrays[k].tobytes() == before_arrays[k].tobytes() for k in before_arrays)
    assert (workdir / "reports" / "report.pdf").stat().st_mtime > npz.stat().st_mtime


def results_without_timings(workdir):
    def strip(value):
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in ("seconds", "run_seconds", "step_seconds")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    found = {}
    for path in sorted((workdir / "results").rglob("*.json")):
        record, arrays = load_record(path)
        name = str(path.relative_to(workdir))
        found[name] = (strip(record), {k: a.tobytes() for k, a in arrays.items()})
    return found


def report_verdicts(workdir, scopes) -> dict[str, str]:
    """The verdict lists of the report's dataset parts of ``scopes`` (each sentence quotes
    its numbers); the layout around them differs with the number of datasets. A finding on
    measured time per step (the TF study's) differs from run to run, so it is left out."""
    html = (workdir / "reports" / "report.html").read_text(encoding="utf-8")
    html = re.sub(r"<li (?:(?!</li>).)*timing rounds(?:(?!</li>).)*</li>", "", html, flags=re.S)
    parts = re.split(r'<section class="dataset-part" id="([a-z_]+)-([a-z_]+)">', html)
    return {
        f"{scope}-{key}": re.findall(r'<ul class="findings">.*?</ul>', body, flags=re.S)
        for scope, key, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True)
        if scope in scopes
    }


def assert_same_results(workdir, built):
    """The results of ``workdir`` (numbers and arrays, timings aside) equal those of the
    local build ``built``."""
    cluster, local = results_without_timings(workdir), results_without_timings(built)
    assert cluster.keys() == local.keys()
    for name in local:
        assert cluster[name] == local[name], name


def test_cluster_executor_gives_the_local_numbers(built, built_clone):
    """Every job a separate detached process (tests/cluster/submit.sh), one job of each rule
    (outputs removed from a copy of the local build): results and report sections equal
    those of the local build."""
    remove_one_output_per_rule(built_clone)
    submit = REPO / "tests" / "cluster" / "submit.sh"
    jobs = planned_jobs(built_clone)
    assert {"run_experiment", "run_general", "run_shard", "dataset_figures"} <= set(jobs)
    snakemake(
        built_clone,
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        str(submit),
        "--jobs",
        "4",
        "--latency-wait",
        "5",
    )
    assert_same_results(built_clone, built)
    scopes = ("digits", "general")
    cluster_sections, local_sections = (
        report_verdicts(built_clone, scopes),
        report_verdicts(built, scopes),
    )
    assert len(cluster_sections) == len(experiments.names(needs_dataset=True))
    assert all(cluster_sections.values()) and cluster_sections == local_sections
