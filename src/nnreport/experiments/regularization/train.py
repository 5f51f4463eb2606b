"""Chapter 6.4: overfitting on a small training set, and two remedies.

One definition serves three experiments, which differ only in their settings:
``overfit`` (no regularisation), ``weight_decay`` (L2, lambda = 0.1) and ``dropout``
(ratio 0.2). Train and test accuracy are measured on the full sets at every epoch.
"""

from __future__ import annotations

import numpy as np

from nnreport.experiments.common import (
    accuracy_log,
    capped,
    epoch_schedule,
    layer_sizes,
    mean_or_none,
    offset_progress,
    repeat_rngs,
    split_rng,
    stack_repeats,
    status_lists,
    work,
)
from nnreport.experiments.common import nominal_flops as nominal_flops
from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import SGD
from nnreport.nn.trainer import train


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    n_train = capped(settings["train_samples"], len(data.x_train))
    x, y = data.x_train[:n_train], data.y_train[:n_train]
    batch, per_epoch, iterations = epoch_schedule(n_train, settings)
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    eval_sets = [(x, y), (data.x_test, data.y_test)]
    histories = []
    for index, repeat_rng in enumerate(repeat_rngs(rng, settings["repeats"])):
        init_rng, batch_rng = split_rng(repeat_rng)
        net = MultiLayerNet(
            sizes[0],
            sizes[1:-1],
            sizes[-1],
            rng=init_rng,
            activation=settings["activation"],
            weight_init=settings["weight_init"],
            weight_decay=settings["weight_decay"],
            dropout_ratio=settings["dropout_ratio"],
        )
        histories.append(
            train(
                net,
                SGD(settings["learning_rate"]),
                x,
                y,
                rng=batch_rng,
                batch_size=batch,
                iterations=iterations,
                eval_every=per_epoch,
                eval_sets=eval_sets,
                on_step=offset_progress(progress, index * iterations),
            )
        )
    train_acc = stack_repeats(histories, "train_acc")[..., 0]  # (repeats, epochs)
    test_acc = stack_repeats(histories, "test_acc")[..., 0]
    gap = train_acc[:, -1] - test_acc[:, -1]
    record = {
        "settings_used": {
            **settings,
            "train_samples": n_train,
            "n_test": len(data.x_test),
            "batch_size": batch,
            "layer_sizes": sizes,
            "iterations_per_epoch": per_epoch,
            "iterations": iterations,
        },
        **status_lists(histories),
        "final_train_acc": train_acc[:, -1],
        "final_test_acc": test_acc[:, -1],
        "gap": gap,
        "mean_train_acc": train_acc.mean(axis=0),  # per epoch, over seeds (None after a divergence)
        "mean_test_acc": test_acc.mean(axis=0),
        "summary": {
            "train_acc": mean_or_none(train_acc[:, -1]),
            "test_acc": mean_or_none(test_acc[:, -1]),
            "gap": mean_or_none(gap),
        },
        "log": accuracy_log(train_acc[0], test_acc[0]),
        "work": work(
            sizes,
            1,
            iterations,
            batch,
            (n_train + len(data.x_test)) * settings["epochs"],
            settings["repeats"],
        ),
    }
    return record, {
        "train_acc": train_acc,
        "test_acc": test_acc,
        "loss": stack_repeats(histories, "loss")[..., 0],
    }


def total_steps(settings: dict, data) -> int:
    n_train = capped(settings["train_samples"], len(data.x_train))
    return settings["repeats"] * epoch_schedule(n_train, settings)[2]
