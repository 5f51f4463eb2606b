"""Helpers to run the real Snakemake workflow in a scratch copy of the project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = (
    "requirements.lock",
    "Snakefile",
    "rules",
    "config",
    "templates",
    "src",
    "profiles",
)


def copy_workflow(target: Path) -> Path:
    """The workflow, a copy of the package (run from it, so a test may edit a module) and
    ``data/``: links to the offline dataset files (so a test may replace one)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target / name)
    offline = Path(os.environ.get("NNREPORT_DATA_DIR", "/nonexistent"))
    for folder in ("mnist", "fashion-mnist"):
        (target / "data" / folder).mkdir(parents=True)
        for file in (offline / folder).glob("*"):
            (target / "data" / folder / file.name).symlink_to(file)
    return target


def clone(workdir: Path, target: Path) -> Path:
    """A copy of a built project: links copied as links, modification times kept (those of
    the links too, which Snakemake compares)."""
    shutil.copytree(workdir, target, symlinks=True)
    for link in workdir.rglob("*"):
        if link.is_symlink():
            times = link.lstat()
            os.utime(
                target / link.relative_to(workdir),
                ns=(times.st_atime_ns, times.st_mtime_ns),
                follow_symlinks=False,
            )
    return target


def environment(workdir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(workdir / "src"), "NNREPORT_DATA_DIR": "data"}


def snakemake(
    workdir: Path, *args: str, targets: tuple[str, ...] = (), check: bool = True
) -> subprocess.CompletedProcess:
    """Run snakemake on the smoke config; ``targets`` go first (``--configfile`` takes every
    word that follows it)."""
    command = ["snakemake", *targets, "--cores", "2", "--configfile", "config/smoke.yaml", *args]
    result = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, env=environment(workdir)
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def dry_run(workdir: Path, *args: str, targets: tuple[str, ...] = ()) -> str:
    result = snakemake(workdir, "--dry-run", *args, targets=targets)
    return result.stdout + result.stderr


def planned_jobs(workdir: Path, *args: str, targets: tuple[str, ...] = ()) -> dict[str, int]:
    """Rule name -> job count of a dry run (empty when nothing is to be done)."""
    output = dry_run(workdir, *args, targets=targets)
    match = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal", output, re.S)
    if not match:
        assert "Nothing to be done" in output, output
        return {}
    return {name: int(count) for name, count in re.findall(r"(\S+)\s+(\d+)", match.group(1))}


# One output of each rule a cluster runs as a job, but the dataset's: removed from a copy of a
# built project, they are made again by one job of each of those rules (and the local merge),
# then the figures and the report that read them. (A new dataset cache would rerun every job
# of its dataset, so the dataset's rule is run on its own.)
ONE_PER_RULE = (
    "results/digits/optimizers.json",  # run_experiment
    "results/digits/optimizers.npz",
    "results/general/toy_optimizers.json",  # run_general
    "results/general/toy_optimizers.npz",
    # run_shard: a shard of the smoke search's last stage (3 stages, then 1 repeat; NumPy,
    # quicker than a TF shard), with the merged result, without which it is not needed
    "results/digits/hparam_search/stage3-shard0.json",
    "results/digits/hparam_search/stage3-shard0.npz",
    "results/digits/hparam_search.json",  # merge_result (local)
    "results/digits/hparam_search.npz",
    "results/digits/figures/samples.png",  # dataset_figures
)


def remove_one_output_per_rule(workdir: Path) -> None:
    for name in ONE_PER_RULE:
        (workdir / name).unlink()
