"""Chapter 6.2: the same ReLU net from std=0.01, Xavier and He initial weights, trained by
SGD on shared minibatches; the arms differ only in the scale of one shared weight draw."""

from __future__ import annotations

import numpy as np

from nnreport.experiments.common import nominal_flops as nominal_flops
from nnreport.experiments.optimizers.train import compare_losses
from nnreport.nn.init import init_label, init_name
from nnreport.nn.optimizers import build_optimizer


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    inits = settings["inits"]
    lr = settings["learning_rate"]
    fields, arrays = compare_losses(
        data,
        settings,
        rng,
        progress,
        [(init_name(i), init_label(i)) for i in inits],
        inits=inits,
        optimizers=lambda: build_optimizer({"name": "sgd", "learning_rate": lr}),
    )
    record = {
        "experiment": "weight_init",
        "settings_used": {
            **settings,
            "n_train": len(data.x_train),
            "n_test": len(data.x_test),
            "layer_sizes": fields["sizes"],
            "batch_size": fields["work"]["batch_size"],
        },
        **fields,
    }
    return record, arrays


def total_steps(settings: dict, data) -> int:
    return settings["iterations"] * settings["repeats"]
