"""Pieces shared by the experiment modules: repeats, size adaptation, schedules, logs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnreport.nn.network import weight_count
from nnreport.nn.trainer import History, iterations_per_epoch

# An arm (or run) "learned" when its accuracy is at least this far above chance (1 / classes);
# below it, comparisons say "did not learn" and a sweep never picks it as best.
LEARNED_MARGIN = 0.1


def repeat_rngs(rng: np.random.Generator, repeats: int) -> list[np.random.Generator]:
    """Independent generators for the repeats, from ``SeedSequence.spawn``."""
    return [np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(repeats)]


def split_rng(rng: np.random.Generator) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent streams: (initial weights and dropout, minibatch order)."""
    first, second = rng.bit_generator.seed_seq.spawn(2)
    return np.random.default_rng(first), np.random.default_rng(second)


def capped(requested: int | None, available: int) -> int:
    """``requested`` samples, or all there are when fewer exist (or when None)."""
    return available if requested is None else min(int(requested), available)


def epoch_schedule(n_train: int, settings: dict) -> tuple[int, int, int]:
    """(batch size, iterations per epoch, training iterations) for ``settings["epochs"]``
    evaluations on ``n_train`` samples; the batch is capped by the samples there are.

    As in the textbook, the first evaluation ("epoch:0") comes before any training and the
    last one after ``epochs - 1`` epochs of training.
    """
    batch = min(settings["batch_size"], n_train)
    per_epoch = iterations_per_epoch(n_train, batch)
    return batch, per_epoch, per_epoch * (settings["epochs"] - 1)


def shard_range(n_items: int, shards: int, shard: int) -> range:
    """Indices of ``shard`` (contiguous, sizes differing by at most one)."""
    edges = np.linspace(0, n_items, shards + 1).round().astype(int)
    return range(edges[shard], edges[shard + 1])


def layer_sizes(n_features: int, hidden: Sequence[int], n_classes: int) -> list[int]:
    return [int(n_features), *map(int, hidden), int(n_classes)]


def work(sizes, models, iterations, batch_size, eval_samples, repeats) -> dict:
    """What a run computed, for the benchmark's nominal FLOP count."""
    return {
        "weights": weight_count(sizes),
        "models": models,
        "iterations": iterations,
        "batch_size": batch_size,
        "eval_samples": eval_samples,
        "repeats": repeats,
    }


def nominal_flops(record: dict) -> float:
    """6 x batch x weights per training step per model + 2 x samples x weights per
    evaluation forward, for every repeat; repeated or extra work earns nothing."""
    w = record["work"]
    train_flops = 6 * w["batch_size"] * w["weights"] * w["iterations"]
    eval_flops = 2 * w["eval_samples"] * w["weights"]
    return (train_flops + eval_flops) * w["models"] * w["repeats"]


def offset_progress(progress, offset: int):
    """Progress callback for repeat ``r``: steps counted on from ``offset``."""
    if progress is None:
        return None
    return lambda step: progress(offset + step)


def stack_repeats(histories: list[History], field: str) -> np.ndarray:
    """(repeats, ...) array of one History field."""
    return np.stack([getattr(h, field) for h in histories])


def status_lists(histories: list[History]) -> dict:
    return {
        "status": [h.status for h in histories],
        "diverged_at": [h.diverged_at for h in histories],
    }


def mean_or_none(values) -> float | None:
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def accuracy_log(train_acc: np.ndarray, test_acc: np.ndarray) -> list[str]:
    """The textbook's lines ``epoch:N, train acc:…, test acc:…`` for one model."""
    return [
        f"epoch:{epoch}, train acc:{tr}, test acc:{te}"
        for epoch, (tr, te) in enumerate(zip(train_acc, test_acc, strict=True))
    ]
