"""Chapter 5.7 / 6.3: backprop gradients of the batch-norm net against central differences,
on a few samples of the dataset, in float64. Reports, for every parameter array, the largest
absolute difference and that difference relative to the array's largest gradient entry.
(The biases of layers followed by batch norm have a zero gradient: there only the absolute
difference means something.)"""

from __future__ import annotations

import numpy as np

from nnreport.experiments.common import layer_sizes
from nnreport.nn.network import MultiLayerNet, weight_count


def numerical_gradient(loss, array: np.ndarray, entries: np.ndarray, h: float) -> np.ndarray:
    flat = array.reshape(-1)
    grad = np.zeros(len(entries))
    for k, index in enumerate(entries):
        saved = flat[index]
        flat[index] = saved + h
        plus = loss()
        flat[index] = saved - h
        minus = loss()
        flat[index] = saved
        grad[k] = (plus - minus) / (2 * h)
    return grad


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    n = min(settings["samples"], len(data.x_train))
    x, y = data.x_train[:n].astype(np.float64), data.y_train[:n]
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    net = MultiLayerNet(
        sizes[0],
        sizes[1:-1],
        sizes[-1],
        rng=rng,
        activation=settings["activation"],
        weight_init=settings["weight_init"],
        batch_norm=True,
        weight_decay=settings["weight_decay"],
        dtype=np.float64,
    )
    _, grads = net.gradient(x, y)
    backprop = {key: grad.copy() for key, grad in grads.items()}

    def loss() -> float:
        return float(net.loss(x, y, train=True)[0])

    rows, checked = [], 0
    for key, param in net.params.items():
        size = param.size
        limit = settings["entries_per_param"]
        entries = (
            np.arange(size)
            if not limit or limit >= size
            else np.sort(rng.choice(size, limit, replace=False))
        )
        numeric = numerical_gradient(loss, param, entries, settings["step"])
        analytic = backprop[key].reshape(-1)[entries]
        diff = np.abs(analytic - numeric)
        scale = float(max(np.abs(analytic).max(), np.abs(numeric).max()))
        rows.append(
            {
                "param": key,
                "shape": list(param.shape[1:]),
                "entries": len(entries),
                "max_abs_diff": float(diff.max()),
                "grad_scale": scale,
                "max_rel_diff": float(diff.max() / max(scale, 1e-12)),
            }
        )
        checked += len(entries)
        if progress:
            progress(len(rows))
    record = {
        "settings_used": {**settings, "samples": n, "layer_sizes": sizes},
        "rows": rows,
        "max_abs_diff": max(r["max_abs_diff"] for r in rows),
        "log": [f"{r['param']}:{r['max_abs_diff']:.3e}" for r in rows],
        "work": {
            "weights": weight_count(sizes),
            "models": 1,
            "iterations": 0,
            "batch_size": 0,
            "eval_samples": 2 * checked * n,
            "repeats": 1,
        },
    }
    return record, {}


def total_steps(settings: dict, data) -> int:
    hidden = len(settings["hidden_sizes"])
    return 2 * (hidden + 1) + 2 * hidden  # W, b per Affine; gamma, beta per batch norm


def nominal_flops(record: dict) -> float:
    w = record["work"]
    return 2 * w["eval_samples"] * w["weights"]
