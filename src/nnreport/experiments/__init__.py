"""One module per experiment. Each defines ``run(data, settings, rng, progress)``.

``data`` is a :class:`nnreport.data.Dataset` (plain float32 arrays + metadata) or None for
dataset-free experiments; ``settings`` the merged config block; ``rng`` a seeded
``np.random.Generator``; ``progress`` a callable taking a step count. ``run`` returns
``(record, arrays)`` for :func:`nnreport.results.save_record`. Dataset names never appear
inside an experiment.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXPERIMENTS = ("optimizers",)
GENERAL_EXPERIMENTS: tuple[str, ...] = ()


def get(name: str) -> ModuleType:
    if name not in EXPERIMENTS:
        from nnreport import UserError

        raise UserError(
            f"Unknown experiment {name!r}. Known experiments: {', '.join(EXPERIMENTS)}."
        )
    return importlib.import_module(f"nnreport.experiments.{name}")
