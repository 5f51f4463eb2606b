"""Chapter 6.1: SGD, Momentum, AdaGrad and Adam (plus Nesterov and RMSprop) on one problem.

All arms are identical networks (same architecture, same initialisation draw) trained on the
same minibatch sequence, stacked so that they share one wide first-layer matmul.
"""

from __future__ import annotations

import numpy as np

from nnreport.nn.network import MultiLayerNet, weight_count
from nnreport.nn.optimizers import DISPLAY_NAMES, get_optimizer
from nnreport.nn.trainer import train


def arm_label(arm: dict) -> str:
    return arm.get("label") or DISPLAY_NAMES.get(arm["name"], arm["name"])


def build_optimizers(arms: list[dict]) -> list:
    return [
        get_optimizer(arm["name"], **{k: v for k, v in arm.items() if k not in ("name", "label")})
        for arm in arms
    ]


def loss_log(labels: list[str], loss: np.ndarray, every: int) -> list[str]:
    """The textbook's console output: a header and one ``Name:loss`` line per arm."""
    lines = []
    for step in range(0, len(loss), every):
        lines.append(f"===========iteration:{step}===========")
        lines.extend(f"{label}:{value}" for label, value in zip(labels, loss[step], strict=True))
    return lines


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    arms = settings["arms"]
    labels = [arm_label(arm) for arm in arms]
    init_rng, batch_rng = (np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(2))
    net = MultiLayerNet(
        data.n_features,
        settings["hidden_sizes"],
        data.n_classes,
        rng=init_rng,
        n_models=len(arms),
        activation=settings["activation"],
        weight_init=settings["weight_init"],
        shared_draw=True,
    )
    history = train(
        net,
        build_optimizers(arms),
        data.x_train,
        data.y_train,
        rng=batch_rng,
        batch_size=min(settings["batch_size"], len(data.x_train)),
        iterations=settings["iterations"],
        on_step=progress,
    )
    test_acc = [
        None if status != "ok" else float(acc)
        for status, acc in zip(history.status, net.accuracy(data.x_test, data.y_test), strict=True)
    ]
    record = {
        "experiment": "optimizers",
        "settings_used": {
            **settings,
            "input_size": data.n_features,
            "n_classes": data.n_classes,
            "n_train": len(data.x_train),
            "n_test": len(data.x_test),
            "batch_size": min(settings["batch_size"], len(data.x_train)),
            "optimizer_configs": [opt.get_config() for opt in build_optimizers(arms)],
        },
        "arms": labels,
        "status": history.status,
        "diverged_at": history.diverged_at,
        "final_loss": [float(np.nanmean(history.loss[-50:, i])) for i in range(len(arms))],
        "test_acc": test_acc,
        "log": loss_log(labels, history.loss, settings["log_every"]),
    }
    return record, {"loss": history.loss}


def total_steps(settings: dict) -> int:
    return settings["iterations"]


def nominal_flops(record: dict) -> float:
    """6 x batch x weights per training step per network + 2 x test samples x weights."""
    used = record["settings_used"]
    sizes = [used["input_size"], *used["hidden_sizes"], used["n_classes"]]
    weights, nets = weight_count(sizes), len(record["arms"])
    train = 6 * used["batch_size"] * weights * used["iterations"] * nets
    return train + 2 * used["n_test"] * weights * nets
