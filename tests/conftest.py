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
        pytest.skip("NNREPORT_DATA_DIR does not point at the offline MNIST copies")
    return Path(value)
