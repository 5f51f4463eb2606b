"""``nnreport bench``: wall time and nominal GFLOP/s of an experiment against the machine's
float32 matmul peak measured in the same process."""

from __future__ import annotations

import os
import time

import numpy as np

from nnreport import experiments
from nnreport.runner import run_experiment


def peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Best-of-``repeats`` GFLOP/s of a float32 ``size`` x ``size`` matmul."""
    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    a @ b  # warm up threads and caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def benchmark(name: str, dataset, settings: dict, threads: int | None = None) -> dict:
    """Run experiment ``name`` once and report its speed as one JSON-ready dict (a unit with
    a ``bench.py`` measures itself: ``benchmark(dataset, settings, threads)``)."""
    experiment = experiments.get(name)
    own = experiment.optional_module("bench")
    if own is not None:
        return own.benchmark(dataset, settings, threads or os.cpu_count() or 1)
    train = experiment.train
    peak = peak_gflops()
    start = time.perf_counter()
    record, _ = run_experiment(name, dataset, settings)
    seconds = time.perf_counter() - start
    return speed_line(name, dataset, seconds, train.nominal_flops(record) / 1e9, peak)


def speed_line(name: str, dataset, seconds: float, gflop: float, peak: float) -> dict:
    return {
        "experiment": name,
        "dataset": dataset.name if dataset else None,
        "seconds": round(seconds, 3),
        "gflop": round(gflop, 3),
        "gflops": round(gflop / seconds, 3),
        "peak_gflops": round(peak, 3),
        "efficiency": round(gflop / seconds / peak, 3),
        "cores": os.cpu_count(),
    }
