"""Shared fixtures. ``NNREPORT_DATA_DIR`` is made absolute so tests may change directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    value = os.environ.get("NNREPORT_DATA_DIR")
    if value:
        os.environ["NNREPORT_DATA_DIR"] = str(Path(value).resolve())


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
    """A scratch copy of the project after a full smoke build (shared by several modules)."""
    from pipeline import copy_workflow, snakemake

    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    snakemake(workdir)
    return workdir
