"""The experiment registry: every unit (a package in this folder) declares its experiments
in ``EXPERIMENTS`` (see :mod:`nnreport.experiments.spec`); nothing else lists them.

Rules, CLI, report, summary and tests all read :data:`REGISTRY` through :func:`get` and
:func:`names`. A unit with a missing piece fails here, loudly, instead of silently
dropping its section.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from nnreport import UserError
from nnreport.experiments.spec import ROLES, UNIT_FILES, Experiment

HERE = Path(__file__).resolve().parent


@cache
def registry() -> dict[str, Experiment]:
    """Config key -> Experiment, in report order."""
    found: dict[str, Experiment] = {}
    for info in pkgutil.iter_modules([str(HERE)]):
        if not info.ispkg:
            continue
        unit = f"{__name__}.{info.name}"
        declared = getattr(importlib.import_module(unit), "EXPERIMENTS", None)
        problems = [] if declared else ["no EXPERIMENTS in its __init__.py"]
        folder = HERE / info.name
        problems += [f"no {role}.py" for role in ROLES if not (folder / f"{role}.py").is_file()]
        problems += [f"no {name}" for name in UNIT_FILES if not (folder / name).is_file()]
        if problems:
            raise UserError(
                f"The experiment unit {unit} is incomplete: {'; '.join(problems)}. Every unit "
                "needs an __init__.py declaring EXPERIMENTS, train.py, figures.py, section.py, "
                f"{', '.join(UNIT_FILES)} (docs/extending.md)."
            )
        for experiment in declared:
            if experiment.name in found:
                raise UserError(f"Two units declare the experiment {experiment.name!r}.")
            found[experiment.name] = experiment
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def unit_folders() -> list[Path]:
    """The folder of every unit, in report order (a unit with several experiments once)."""
    folders: list[Path] = []
    for experiment in registry().values():
        if experiment.folder not in folders:
            folders.append(experiment.folder)
    return folders


def names(*, needs_dataset: bool | None = None, sharded: bool | None = None) -> list[str]:
    """Registered experiment names in report order, optionally filtered."""
    return [
        name
        for name, e in registry().items()
        if (needs_dataset is None or e.needs_dataset == needs_dataset)
        and (sharded is None or e.sharded == sharded)
    ]


def get(name: str) -> Experiment:
    experiments = registry()
    if name not in experiments:
        raise UserError(
            f"Unknown experiment {name!r}. Known experiments: {', '.join(experiments)}."
        )
    return experiments[name]
