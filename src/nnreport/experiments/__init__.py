"""One module per experiment. Each defines ``run(data, settings, rng, progress)``.

``data`` is a :class:`nnreport.data.Dataset` (plain float32 arrays + metadata) or None for
dataset-free experiments; ``settings`` the merged config block; ``rng`` a seeded
``np.random.Generator``; ``progress`` a callable taking a step count. ``run`` returns
``(record, arrays)`` for :func:`nnreport.results.save_record`. Dataset names never appear
inside an experiment. Modules also define ``total_steps(settings, data)`` (progress) and
``nominal_flops(record)`` (benchmark).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from nnreport import UserError

# Config key -> module. overfit, weight_decay and dropout are one definition, three settings.
MODULES = {
    "optimizers": "optimizers",
    "weight_init": "weight_init",
    "batch_norm": "batch_norm",
    "overfit": "regularization",
    "weight_decay": "regularization",
    "dropout": "regularization",
    "hparam_search": "hparam_search",
    "gradient_check": "gradient_check",
    "tf_mlp": "tf_mlp",
    "activations": "activations",
    "toy_optimizers": "toy_optimizers",
    "tf_crosscheck": "tf_crosscheck",
}
GENERAL_EXPERIMENTS = ("activations", "toy_optimizers", "tf_crosscheck")
EXPERIMENTS = tuple(name for name in MODULES if name not in GENERAL_EXPERIMENTS)
SHARDED = ("hparam_search", "tf_mlp")  # run as shards + merge, not as one job


def module_name(name: str) -> str:
    if name not in MODULES:
        raise UserError(f"Unknown experiment {name!r}. Known experiments: {', '.join(MODULES)}.")
    return f"nnreport.experiments.{MODULES[name]}"


def get(name: str) -> ModuleType:
    return importlib.import_module(module_name(name))
