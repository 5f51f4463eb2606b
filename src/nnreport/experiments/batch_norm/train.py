"""Chapter 6.3: batch normalisation against weight scale.

For each of 16 weight scales (std of every layer's initial weights), two nets are trained on
the same minibatches: one plain, one with batch normalisation. Both stacks (16 models each)
start from the same standard-normal draw, scaled per model.
"""

from __future__ import annotations

import numpy as np

from nnreport.experiments.common import (
    capped,
    epoch_schedule,
    layer_sizes,
    offset_progress,
    repeat_rngs,
    split_rng,
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
    scales = np.logspace(0, settings["min_log10_scale"], settings["scales"]).tolist()
    curves, statuses, diverged = [], [], []
    for index, repeat_rng in enumerate(repeat_rngs(rng, settings["repeats"])):
        init_rng, batch_rng = split_rng(repeat_rng)
        init_seed, batch_seed = init_rng.integers(2**63), batch_rng.integers(2**63)
        per_variant = []
        for variant, batch_norm in enumerate((False, True)):
            net = MultiLayerNet(
                sizes[0],
                sizes[1:-1],
                sizes[-1],
                rng=np.random.default_rng(init_seed),
                n_models=len(scales),
                activation=settings["activation"],
                weight_init=scales,
                batch_norm=batch_norm,
                shared_draw=True,
            )
            history = train(
                net,
                SGD(settings["learning_rate"]),
                x,
                y,
                rng=np.random.default_rng(batch_seed),
                batch_size=batch,
                iterations=iterations,
                eval_every=per_epoch,
                eval_sets=[(x, y)],
                on_step=offset_progress(progress, (2 * index + variant) * iterations),
            )
            per_variant.append(history.train_acc)  # (epochs, scales)
            statuses.append(history.status)
            diverged.append(history.diverged_at)
        curves.append(np.stack(per_variant, axis=1))  # (epochs, 2, scales)
    train_acc = np.stack(curves)  # (repeats, epochs, variant, scales)
    final = train_acc[:, -1]  # (repeats, variant, scales)
    # A diverged net (NaN) learned nothing: it loses to any net that finished.
    settled = np.nan_to_num(final, nan=-1.0)
    wins = np.sum(settled[:, 1] > settled[:, 0], axis=1)
    record = {
        "settings_used": {
            **settings,
            "train_samples": n_train,
            "batch_size": batch,
            "layer_sizes": sizes,
            "iterations_per_epoch": per_epoch,
            "iterations": iterations,
            "weight_scales": scales,
        },
        "variants": ["without batch norm", "with batch norm"],
        "scales": scales,
        "status": statuses,
        "diverged_at": diverged,
        "final_train_acc": final,
        "batch_norm_wins": wins,
        "log": [
            f"w:{scale:.3g} | without BN: {final[0, 0, i]:.4f} | with BN: {final[0, 1, i]:.4f}"
            for i, scale in enumerate(scales)
        ],
        "work": work(
            sizes,
            2 * len(scales),
            iterations,
            batch,
            n_train * settings["epochs"],
            settings["repeats"],
        ),
    }
    return record, {"train_acc": train_acc}


def total_steps(settings: dict, data) -> int:
    n_train = capped(settings["train_samples"], len(data.x_train))
    return 2 * settings["repeats"] * epoch_schedule(n_train, settings)[2]
