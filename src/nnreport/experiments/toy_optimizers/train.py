"""Chapter 6.1.7: optimizer paths on f(x, y) = x**2 / 20 + y**2 from (-7, 2).

The same optimizer classes that train the networks take ``steps`` steps on this function,
whose gradient is (x / 10, 2 y): the valley is twenty times steeper in y than in x.
"""

from __future__ import annotations

import numpy as np

from nnreport.nn.optimizers import arm_label, build_optimizer


def gradient(x: float, y: float) -> tuple[float, float]:
    return x / 10.0, 2.0 * y


def value(x, y):
    return x**2 / 20.0 + y**2


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    start, steps = settings["start"], settings["steps"]
    paths, final = [], []
    for arm in settings["arms"]:
        optimizer = build_optimizer(arm)
        params = {"x": np.array([float(start[0])]), "y": np.array([float(start[1])])}
        path = [(params["x"][0], params["y"][0])]
        for _ in range(steps):
            gx, gy = gradient(params["x"][0], params["y"][0])
            optimizer.update(params, {"x": np.array([gx]), "y": np.array([gy])})
            path.append((params["x"][0], params["y"][0]))
        paths.append(path)
        final.append(float(value(*path[-1])))
    labels = [arm_label(a) for a in settings["arms"]]
    record = {
        "settings_used": settings,
        "arms": [arm["name"] for arm in settings["arms"]],
        "labels": labels,
        "final_value": final,
        "final_point": [p[-1] for p in paths],
        "log": [
            f"{label}: f after {steps} steps = {f:.4g}"
            for label, f in zip(labels, final, strict=True)
        ],
        "work": {
            "weights": 2,
            "models": len(labels),
            "iterations": steps,
            "batch_size": 1,
            "eval_samples": 0,
            "repeats": 1,
        },
    }
    return record, {"paths": np.array(paths)}  # (arms, steps + 1, 2)


def nominal_flops(record: dict) -> float:
    w = record["work"]
    return 6.0 * w["models"] * w["iterations"]
