"""Chapter 6.1: SGD, Momentum, AdaGrad and Adam (plus Nesterov and RMSprop) on one problem.

All arms are identical networks (same architecture, same initial weights) trained on the same
minibatch sequence, stacked so that they share one broadcast first-layer matmul.
:func:`compare_losses` also serves the weight-initialisation experiment.
"""

from __future__ import annotations

import numpy as np

from nnreport.experiments.common import (
    layer_sizes,
    offset_progress,
    repeat_rngs,
    split_rng,
    stack_repeats,
    status_lists,
    work,
)
from nnreport.experiments.common import nominal_flops as nominal_flops
from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import arm_label, build_optimizer
from nnreport.nn.trainer import train


def loss_log(labels: list[str], loss: np.ndarray, every: int) -> list[str]:
    """The textbook's console output: a header and one ``Name:loss`` line per arm."""
    lines = []
    for step in range(0, len(loss), every):
        lines.append(f"===========iteration:{step}===========")
        lines.extend(f"{label}:{value}" for label, value in zip(labels, loss[step], strict=True))
    return lines


def compare_losses(data, settings, rng, progress, arms, inits, optimizers) -> tuple[dict, dict]:
    """Train one stack of ``len(arms)`` nets on shared minibatches, per repeat.

    ``arms``: (registry name, display label) per arm; ``inits``: weight initialisation per
    arm; ``optimizers``: a callable returning the optimizer(s) for a fresh stack. Returns the
    record fields and arrays both experiments share.
    """
    names, labels = [name for name, _ in arms], [label for _, label in arms]
    sizes = layer_sizes(data.n_features, settings["hidden_sizes"], data.n_classes)
    batch = min(settings["batch_size"], len(data.x_train))
    iterations, repeats = settings["iterations"], settings["repeats"]
    histories, test_acc = [], []
    for index, repeat_rng in enumerate(repeat_rngs(rng, repeats)):
        init_rng, batch_rng = split_rng(repeat_rng)
        net = MultiLayerNet(
            sizes[0],
            sizes[1:-1],
            sizes[-1],
            rng=init_rng,
            n_models=len(labels),
            activation=settings["activation"],
            weight_init=inits,
            shared_draw=True,
        )
        history = train(
            net,
            optimizers(),
            data.x_train,
            data.y_train,
            rng=batch_rng,
            batch_size=batch,
            iterations=iterations,
            on_step=offset_progress(progress, index * iterations),
        )
        accuracy = net.accuracy(data.x_test, data.y_test)
        test_acc.append(
            [a if s == "ok" else np.nan for a, s in zip(accuracy, history.status, strict=True)]
        )
        histories.append(history)
    loss = stack_repeats(histories, "loss")  # (repeats, iterations, arms)
    tail = min(50, iterations)
    fields = {
        "arms": names,
        "labels": labels,
        **status_lists(histories),
        "final_loss": np.nanmean(loss[:, -tail:, :], axis=1),  # (repeats, arms)
        "test_acc": np.array(test_acc),
        "log": loss_log(labels, loss[0], settings["log_every"]),
        "work": work(sizes, len(labels), iterations, batch, len(data.x_test), repeats),
        "sizes": sizes,
    }
    return fields, {"loss": loss}


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    arms = settings["arms"]
    fields, arrays = compare_losses(
        data,
        settings,
        rng,
        progress,
        [(a["name"], arm_label(a)) for a in arms],
        inits=settings["weight_init"],
        optimizers=lambda: [build_optimizer(a) for a in arms],
    )
    record = {
        "experiment": "optimizers",
        "settings_used": {
            **settings,
            "n_train": len(data.x_train),
            "n_test": len(data.x_test),
            "layer_sizes": fields["sizes"],
            "batch_size": fields["work"]["batch_size"],
            "optimizer_configs": [build_optimizer(a).get_config() for a in arms],
        },
        **fields,
    }
    return record, arrays


def total_steps(settings: dict, data) -> int:
    return settings["iterations"] * settings["repeats"]
