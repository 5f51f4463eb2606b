"""Shared fixtures, and the two test lanes.

A test that runs Snakemake or trains a model does so through one of the fixtures in
``PIPELINE_FIXTURES`` (directly or through another fixture), and is marked ``pipeline`` by
it: ``pytest -m "not pipeline"`` is the fast lane of unit tests, ``pytest`` runs both.
``NNREPORT_DATA_DIR`` is made absolute so tests may change directory.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PIPELINE_FIXTURES = frozenset(
    {
        "built",  # the session's smoke build (read-only: clone it to change it)
        "built_clone",  # a private copy of that build
        "workflow",  # a fresh copy of the project, to run Snakemake in
        "snakemake_rules",  # `snakemake --list-rules`
        "extended",  # the smoke build with an added unit and declared datasets
        "slurm_cluster",  # a one-node SLURM cluster
        "tensorflow",  # TensorFlow, imported: the test trains or runs TF models
        "trains",  # the test trains an experiment (at tiny settings, in this process or a job)
    }
)


def pytest_configure(config):
    value = os.environ.get("NNREPORT_DATA_DIR")
    if value:
        os.environ["NNREPORT_DATA_DIR"] = str(Path(value).resolve())


# Modules that wait longest (on a cluster, on their own builds) run first; the session's
# smoke build is made by the first worker that needs it while the others go on. With the
# workers of `pytest -n` (pyproject.toml: one module per worker at a time), this overlaps
# waiting with work. The rest keep their order.
FIRST = ("test_slurm.py", "test_faults.py", "test_extension.py", "test_pipeline.py")


def pytest_collection_modifyitems(items):
    for item in items:
        if PIPELINE_FIXTURES.intersection(item.fixturenames):
            item.add_marker(pytest.mark.pipeline)
    rank = {name: place for place, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(FIRST)))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    value = os.environ.get("NNREPORT_DATA_DIR")
    if not value or not (Path(value) / "mnist").is_dir():
        message = "NNREPORT_DATA_DIR does not point at the offline MNIST copies"
        if os.environ.get("CI"):
            pytest.fail(message + " (in CI the data must be there)")
        pytest.skip(message)
    return Path(value)


@pytest.fixture(scope="session")
def built(tmp_path_factory, data_dir) -> Path:
    """A scratch copy of the project after a full smoke build, shared by every test that only
    reads it (a test that changes it works on :func:`built_clone`). Under ``pytest -n``, the
    first worker that asks builds it and the others wait for it and read the same copy."""
    from pipeline import copy_workflow, snakemake

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    workdir, finished = root / "smoke-build", root / "smoke-build.finished"
    with open(root / "smoke-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not finished.exists():
            shutil.rmtree(workdir, ignore_errors=True)  # left by a worker whose build failed
            copy_workflow(workdir)
            snakemake(workdir, "--cores", "4")  # four jobs on two cores (see test_faults)
            finished.touch()
    return workdir


@pytest.fixture
def built_clone(built, tmp_path) -> Path:
    """A private copy of the smoke build, up to date as it is."""
    from pipeline import clone

    return clone(built, tmp_path / "clone")


@pytest.fixture
def workflow(tmp_path) -> Path:
    """A fresh copy of the project (nothing built yet) in a scratch folder."""
    from pipeline import copy_workflow

    return copy_workflow(tmp_path / "wf")


@pytest.fixture(scope="session")
def snakemake_rules() -> set[str]:
    """The workflow's rule names, as ``snakemake --list-rules`` prints them."""
    import subprocess

    command = ["snakemake", "--list-rules"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


@pytest.fixture(scope="session")
def trains() -> None:
    """Asked for by a test that trains an experiment: it belongs to the pipeline lane. (Unit
    tests of single layers, optimizers or the trainer on toy data stay in the fast lane.)"""


@pytest.fixture(scope="session")
def digits(trains, tmp_path_factory):
    """scikit-learn's digits, prepared, for tests that train on it."""
    from nnreport import data

    folder = tmp_path_factory.mktemp("digits")
    data.prepare("digits", folder / "digits.npz", folder / "digits.json", None, False)
    return data.load_prepared(folder / "digits.npz")


@pytest.fixture(scope="session")
def tensorflow():
    """TensorFlow, imported once (several seconds): a test that asks for it trains or runs
    TF models."""
    import tensorflow

    return tensorflow
