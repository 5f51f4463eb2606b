"""Helpers to run the real Snakemake workflow in a scratch copy of the project."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = ("Snakefile", "rules", "config", "templates")


def copy_workflow(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def snakemake(
    workdir: Path, *args: str, targets: tuple[str, ...] = (), check: bool = True
) -> subprocess.CompletedProcess:
    """Run snakemake on the smoke config; ``targets`` go first (``--configfile`` takes every
    word that follows it)."""
    command = ["snakemake", *targets, "--cores", "2", "--configfile", "config/smoke.yaml", *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def planned_jobs(workdir: Path, *args: str, targets: tuple[str, ...] = ()) -> dict[str, int]:
    """Rule name -> job count of a dry run (empty when nothing is to be done)."""
    result = snakemake(workdir, "--dry-run", *args, targets=targets)
    output = result.stdout + result.stderr
    match = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal", output, re.S)
    if not match:
        assert "Nothing to be done" in output, output
        return {}
    return {name: int(count) for name, count in re.findall(r"(\S+)\s+(\d+)", match.group(1))}
