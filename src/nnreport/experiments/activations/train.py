"""Chapter 6.2.2: distribution of hidden-layer activations for each weight initialisation.

1000 standard-normal samples of 100 features pass through five 100-unit layers (no bias, no
training) for sigmoid, tanh and ReLU, each with weight std 1, 0.01, Xavier and He. Each
layer's activations are summarised by a histogram and by how many sit where gradients vanish.
"""

from __future__ import annotations

import numpy as np

from nnreport.nn.init import init_label, init_name, weight_std
from nnreport.nn.layers import ACTIVATIONS

RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 1.0)}


def saturated(activation: str, values: np.ndarray) -> float:
    """Share of units whose local gradient is (nearly) zero."""
    if activation == "relu":
        return float(np.mean(values <= 0))
    if activation == "sigmoid":
        return float(np.mean((values < 0.02) | (values > 0.98)))
    return float(np.mean(np.abs(values) > 0.98))


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    n, width, depth, bins = (settings[k] for k in ("samples", "width", "layers", "bins"))
    x = rng.standard_normal((n, width)).astype(np.float32)
    draws = [rng.standard_normal((width, width)).astype(np.float32) for _ in range(depth)]
    activations, inits = settings["activations"], settings["inits"]
    hist = np.zeros((len(activations), len(inits), depth, bins), dtype=np.int64)
    stats = {"mean": [], "std": [], "saturated": []}
    for a, name in enumerate(activations):
        rows = {key: [] for key in stats}
        for i, init in enumerate(inits):
            layer_values, h = [], x
            for layer, draw in enumerate(draws):
                h = ACTIVATIONS[name]().forward(h @ (draw * weight_std(init, width)), False)
                hist[a, i, layer] = np.histogram(h, bins=bins, range=RANGES[name])[0]
                layer_values.append(h)
            rows["mean"].append([float(v.mean()) for v in layer_values])
            rows["std"].append([float(v.std()) for v in layer_values])
            rows["saturated"].append([saturated(name, v) for v in layer_values])
            if progress:
                progress(a * len(inits) + i + 1)
        for key in stats:
            stats[key].append(rows[key])
    record = {
        "settings_used": settings,
        "activations": activations,
        "inits": [init_name(i) for i in inits],
        "init_labels": [init_label(i) for i in inits],
        "ranges": [RANGES[a] for a in activations],
        **stats,
        "log": [
            f"{a} / {init_label(i)}: layer std " + ", ".join(f"{s:.3f}" for s in stds)
            for a, per_init in zip(activations, stats["std"], strict=True)
            for i, stds in zip(inits, per_init, strict=True)
        ],
        "work": {
            "weights": width * width * depth,
            "models": len(activations) * len(inits),
            "iterations": 0,
            "batch_size": 0,
            "eval_samples": n,
            "repeats": 1,
        },
    }
    return record, {"histograms": hist}


def total_steps(settings: dict, data) -> int:
    return len(settings["activations"]) * len(settings["inits"])


def nominal_flops(record: dict) -> float:
    w = record["work"]
    return 2 * w["eval_samples"] * w["weights"] * w["models"]
