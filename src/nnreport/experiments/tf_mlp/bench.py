"""``nnreport bench --experiment tf_mlp``: our compiled loop against a plain ``model.fit``."""

from __future__ import annotations

import time

import numpy as np

from nnreport import tfnet
from nnreport.bench import peak_gflops, speed_line
from nnreport.experiments.tf_mlp import train as tf_mlp
from nnreport.runner import run_sharded


def benchmark(dataset, settings: dict, lanes: int) -> dict:
    """``lanes`` runs of every arm at the configured scale (no sweep), trained by our
    compiled loop with ``lanes`` models side by side, then the same runs (same seeds,
    hyperparameters, epochs) by a plain ``model.fit`` in this process. The JSON line adds
    ``baseline_seconds`` and ``speedup`` = baseline_seconds / seconds, and both mean test
    accuracies so that a fast but wrong loop would show."""

    settings = {
        **settings,
        "shards": 1,
        "gd_sweep": {**settings["gd_sweep"], "learning_rates": []},
        "arms": [{**arm, "runs": lanes} for arm in settings["arms"]],
        "timing": {**settings["timing"], "rounds": 0},
    }
    peak = peak_gflops()
    start = time.perf_counter()
    record, _ = run_sharded(tf_mlp, dataset, settings, threads=lanes)
    seconds = time.perf_counter() - start
    x, y, _, _ = tf_mlp.split(dataset, settings)
    sizes = record["sizes"]
    start = time.perf_counter()
    baseline = [
        tfnet.fit_baseline(
            sizes,
            settings["activation"],
            run["optimizer"],
            run["keep_prob"],
            settings["batch_size"],
            tf_mlp.epochs(settings, len(x)),
            run["seed"],
            x,
            y,
            (dataset.x_test, dataset.y_test),
        )
        for run in tf_mlp.plan(settings, dataset.name)
    ]
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
