"""``nnreport bench``: wall time and nominal GFLOP/s of an experiment against the machine's
float32 matmul peak measured in the same process."""

from __future__ import annotations

import os
import time

import numpy as np

from nnreport import experiments
from nnreport.runner import run_experiment, run_sharded


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
    """Run experiment ``name`` once and report its speed as one JSON-ready dict."""
    if name == "tf_mlp":
        return tf_mlp_benchmark(dataset, settings, threads or os.cpu_count() or 1)
    train = experiments.get(name).train
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


def tf_mlp_benchmark(dataset, settings: dict, lanes: int) -> dict:
    """``lanes`` runs of every arm at the configured scale (no sweep), trained by our
    compiled loop with ``lanes`` models side by side, then the same runs (same seeds,
    hyperparameters, epochs) by a plain ``model.fit`` in this process. The JSON line adds
    ``baseline_seconds`` and ``speedup`` = baseline_seconds / seconds, and both mean test
    accuracies so that a fast but wrong loop would show."""
    from nnreport import tfnet
    from nnreport.experiments.tf_mlp import train as tf_mlp

    settings = {**settings, "shards": 1, "gd_sweep": {**settings["gd_sweep"], "learning_rates": []},
                "arms": [{**arm, "runs": lanes} for arm in settings["arms"]]}  # fmt: skip
    peak = peak_gflops()
    start = time.perf_counter()
    record, _ = run_sharded(tf_mlp, dataset, settings, threads=lanes)
    seconds = time.perf_counter() - start
    x, y, _, _ = tf_mlp.split(dataset, settings)
    sizes = record["sizes"]
    start = time.perf_counter()
    baseline = [
        tfnet.fit_baseline(sizes, settings["activation"], run["optimizer"], run["keep_prob"],
                           settings["batch_size"], tf_mlp.epochs(settings, len(x)), run["seed"],
                           x, y,
                           (dataset.x_test, dataset.y_test))
        for run in tf_mlp.plan(settings)
    ]  # fmt: skip
    baseline_seconds = time.perf_counter() - start
    ours = [r["test_acc"] for r in record["runs"] if r["test_acc"] is not None]
    line = speed_line("tf_mlp", dataset, seconds, tf_mlp.nominal_flops(record) / 1e9, peak)
    return {
        **line,
        "runs": len(record["runs"]),
        "lanes": lanes,
        "baseline_seconds": round(baseline_seconds, 3),
        "speedup": round(baseline_seconds / seconds, 3),
        "test_acc_mean": round(float(np.mean(ours)), 4) if ours else None,
        "baseline_test_acc_mean": round(float(np.mean(baseline)), 4),
    }
