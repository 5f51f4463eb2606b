"""Where the report's inputs live, and how they are read (failing clearly when missing)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from nnreport import UserError
from nnreport.plots import figure_file
from nnreport.results import load_json, load_record


@dataclass(frozen=True)
class Paths:
    """The pipeline's folder layout (relative to the working directory)."""

    results: Path = Path("results")
    resources: Path = Path("resources")
    benchmarks: Path = Path("benchmarks")

    def dataset_meta(self, dataset: str) -> Path:
        return self.resources / "datasets" / f"{dataset}.json"

    def result(self, dataset: str, experiment: str) -> Path:
        return self.results / dataset / f"{experiment}.json"

    def figure(self, dataset: str, name: str) -> Path:
        return self.results / dataset / "figures" / figure_file(name)


def require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise UserError(
            f"The {what} {path} is missing, so the report cannot be rendered and no PDF was "
            "written. Rerun the pipeline (snakemake) so that it is regenerated."
        )
    return path


MIME = {".png": "image/png", ".svg": "image/svg+xml"}


def figure_uri(path: Path) -> str:
    """The figure at ``path`` as a data: URI, so the HTML is self-contained."""
    data = require(path, "figure").read_bytes()
    return f"data:{MIME[path.suffix]};base64," + base64.b64encode(data).decode("ascii")


def load_result(path: Path):
    return load_record(require(path, "result file"))


def load_meta(path: Path) -> dict:
    return load_json(require(path, "dataset metadata file"))
