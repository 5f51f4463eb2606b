"""Nearest class centroid against always guessing the most frequent training class."""

from __future__ import annotations

import numpy as np


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    """Test accuracy of both classifiers, on the first ``train_samples`` training samples."""
    n = min(settings["train_samples"], len(data.x_train))
    x, y = data.x_train[:n], data.y_train[:n]
    centroids = np.stack([x[y == c].mean(axis=0) for c in range(data.n_classes)])
    distances = ((data.x_test[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    centroid_acc = float((distances.argmin(axis=1) == data.y_test).mean())
    majority = int(np.bincount(y, minlength=data.n_classes).argmax())
    majority_acc = float((data.y_test == majority).mean())
    record = {
        "settings_used": {**settings, "train_samples": n},
        "accuracy": {"centroid": centroid_acc, "majority": majority_acc},
        "log": [f"centroid: {centroid_acc:.4f}", f"majority class: {majority_acc:.4f}"],
        "work": {"samples": len(data.x_test) * data.n_classes * data.n_features},
    }
    return record, {"centroids": centroids}


def total_steps(settings: dict, data) -> int:
    return 0


def nominal_flops(record: dict) -> float:
    return 3.0 * record["work"]["samples"]
