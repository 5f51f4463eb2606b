"""Run one experiment on one prepared dataset and write its result record."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnreport import UserError, data, experiments
from nnreport.results import save_record

log = logging.getLogger(__name__)
DEFAULT_CACHE_DIR = Path("resources/datasets")


def dataset_cache(name: str, cache_dir: str | Path = DEFAULT_CACHE_DIR) -> Path:
    return Path(cache_dir) / f"{name}.npz"


def ensure_dataset(name: str, cache_dir=DEFAULT_CACHE_DIR, data_dir=None, allow_download=True):
    """The prepared dataset ``name``, preparing its cache first if it is missing."""
    data.check_name(name)
    npz = dataset_cache(name, cache_dir)
    if not (npz.is_file() and npz.with_suffix(".json").is_file()):
        log.info("preparing dataset %s into %s", name, npz)
        data.prepare(name, npz, npz.with_suffix(".json"), data_dir, allow_download)
    return data.load_prepared(npz)


def progress_reporter(total: int, label: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A tqdm bar on a terminal; otherwise a log line every 10 % (Snakemake job logs)."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, desc=label, unit="step", leave=False)

        def update(step: int) -> None:
            bar.update(step - bar.n)

        return update, bar.close
    marks = {max(1, round(total * tenth / 10)) for tenth in range(1, 11)}

    def log_step(step: int) -> None:
        if step in marks:
            log.info("%s: %d / %d steps (%d %%)", label, step, total, round(100 * step / total))

    return log_step, lambda: None


def run_experiment(name: str, dataset: data.Dataset | None, settings: dict) -> tuple[dict, dict]:
    """Run experiment ``name``; return its record (with timing) and arrays."""
    module = experiments.get(name)
    rng = np.random.default_rng(settings["seed"])
    total = module.total_steps(settings, dataset) if hasattr(module, "total_steps") else 0
    label = f"{name}/{dataset.name if dataset else 'general'}"
    if (dataset is None) != (name in experiments.GENERAL_EXPERIMENTS):
        raise UserError(
            f"Experiment {name!r} "
            + ("needs no dataset; drop --dataset." if dataset else "needs a dataset (--dataset).")
        )
    update, close = progress_reporter(total, label) if total else (None, lambda: None)
    start = time.perf_counter()
    try:
        record, arrays = module.run(dataset, settings, rng, update)
    finally:
        close()
    record["experiment"] = name
    record["dataset"] = dataset.name if dataset else None
    record["dataset_title"] = dataset.meta["title"] if dataset else None
    record["seconds"] = round(time.perf_counter() - start, 3)
    return record, arrays


def write_result(out: str | Path, record: dict, arrays: dict) -> None:
    save_record(out, record, arrays)
    log.info("wrote %s", out)
