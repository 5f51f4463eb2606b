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


def ensure_dataset(
    name: str, cache_dir=DEFAULT_CACHE_DIR, data_dir=None, allow_download=True, custom=None
):
    """The prepared dataset ``name``, preparing its cache first if it is missing;
    ``custom`` is the config's ``custom_datasets``."""
    data.check_name(name, custom)
    npz = dataset_cache(name, cache_dir)
    if not (npz.is_file() and npz.with_suffix(".json").is_file()):
        log.info("preparing dataset %s into %s", name, npz)
        data.prepare(name, npz, npz.with_suffix(".json"), data_dir, allow_download, custom)
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


def check_scope(name: str, dataset) -> None:
    if (dataset is None) == experiments.get(name).needs_dataset:
        raise UserError(
            f"Experiment {name!r} "
            + ("needs no dataset; drop --dataset." if dataset else "needs a dataset (--dataset).")
        )


def stamp(record: dict, name: str, meta: dict | None, seconds: float) -> dict:
    """What every finished record says of itself: experiment, dataset, time taken."""
    record["experiment"] = name
    record["dataset"] = meta["name"] if meta else None
    record["dataset_title"] = meta["title"] if meta else None
    record["seconds"] = round(seconds, 3)
    return record


def run_sharded(train, data, settings: dict, progress=None, threads: int = 1):
    """A sharded experiment in one process: every stage's shards, merged stage by stage.

    The protocol of a sharded experiment's train module: ``stages(settings)``,
    ``shard_steps(settings, data, stage, shard)``, ``run_shard(data, settings, stage, shard,
    previous, threads, progress)`` and ``merge(settings, shard_results, previous)``, where
    ``previous`` is the merged result of the stage before (None for the first). The pipeline
    runs each shard as its own job (``nnreport shard`` / ``nnreport merge``); both ways give
    the same numbers.
    """
    previous, done = None, 0
    for stage in range(train.stages(settings)):
        results = []
        for shard in range(settings["shards"]):
            step = None if progress is None else (lambda s, d=done: progress(d + s))
            results.append(train.run_shard(data, settings, stage, shard, previous, threads, step))
            done += train.shard_steps(settings, data, stage, shard)
        previous = train.merge(settings, results, previous)
    return previous


def run_experiment(
    name: str, dataset: data.Dataset | None, settings: dict, threads: int = 1
) -> tuple[dict, dict]:
    """Run experiment ``name`` whole; return its record (stamped) and arrays."""
    check_scope(name, dataset)
    experiment = experiments.get(name)
    train = experiment.train
    total = experiment.hook("train", "total_steps")(settings, dataset)
    label = f"{name}/{dataset.name if dataset else 'general'}"
    update, close = progress_reporter(total, label) if total else (None, lambda: None)
    start = time.perf_counter()
    try:
        if experiment.sharded:
            record, arrays = run_sharded(train, dataset, settings, update, threads)
        else:
            record, arrays = train.run(
                dataset, settings, np.random.default_rng(settings["seed"]), update
            )
    finally:
        close()
    stamp(record, name, dataset.meta if dataset else None, time.perf_counter() - start)
    return record, arrays


def run_shard(
    name: str,
    dataset: data.Dataset,
    settings: dict,
    stage: int,
    shard: int,
    previous,
    threads: int = 1,
) -> tuple[dict, dict]:
    """One shard of a sharded experiment (one pipeline job)."""
    train = experiments.get(name).train
    total = train.shard_steps(settings, dataset, stage, shard)
    update, close = progress_reporter(
        total, f"{name}/{dataset.name} stage {stage + 1} shard {shard + 1}"
    )
    start = time.perf_counter()
    try:
        record, arrays = train.run_shard(dataset, settings, stage, shard, previous, threads, update)
    finally:
        close()
    record["seconds"] = round(time.perf_counter() - start, 3)
    return record, arrays


def merge_shards(name: str, settings: dict, shard_results: list, previous, meta: dict | None):
    """Merge one stage's shards; with ``meta`` (the last stage) stamp the finished record."""
    record, arrays = experiments.get(name).train.merge(settings, shard_results, previous)
    seconds = sum(r.get("seconds", 0.0) for r, _ in shard_results)
    seconds += previous[0].get("seconds", 0.0) if previous else 0.0
    record["seconds"] = round(seconds, 3)
    return (stamp(record, name, meta, seconds) if meta else record), arrays


def write_result(out: str | Path, record: dict, arrays: dict) -> None:
    save_record(out, record, arrays)
    log.info("wrote %s", out)
