"""What defines an experiment: one :class:`Experiment` per config key, declared in the
``__init__.py`` of its unit (a package under ``nnreport.experiments``).

A unit holds four pieces side by side, each a module with a fixed role:

``train``    ``run(data, settings, rng, progress)`` -> ``(record, arrays)``, plus
             ``total_steps(settings, data)`` and ``nominal_flops(record)``; a sharded
             experiment also has ``stages``, ``shard_steps``, ``run_shard`` and ``merge``
             (see :mod:`nnreport.runner`). It imports no figure or report code.
``figures``  ``figure_names(settings)`` and ``draw(name, record, arrays, title, t)``.
``section``  ``build(ctx)`` (the report section) and ``CLAIMS`` (the claims it checks).
``settings.yaml``  the JSON Schema of each experiment's settings, with a description and a
             default for every key: the one place where defaults live.

This module stays free of heavy imports: Snakemake reads the registry to build the DAG.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROLES = ("train", "figures", "section")


@dataclass(frozen=True)
class Experiment:
    """One experiment: a config key, the unit that implements it, and where it stands.

    ``order`` places its section in the report; ``needs_dataset`` is False for the
    dataset-free experiments (one run, under "general"); ``sharded`` ones run as shard jobs
    merged stage by stage; ``reviewed`` lists the code the report prints, as ``module:qualname``
    relative to the ``nnreport`` package. ``priority``: Snakemake starts the jobs of a higher
    priority first, so that the longest jobs (the TF study's shards) do not run alone at the
    end of a build while cores idle.
    """

    name: str
    unit: str
    order: int
    needs_dataset: bool = True
    sharded: bool = False
    reviewed: tuple[str, ...] = ()
    priority: int = 0

    def module_name(self, role: str) -> str:
        return f"{self.unit}.{role}"

    def module(self, role: str) -> ModuleType:
        return importlib.import_module(self.module_name(role))

    @property
    def folder(self) -> Path:
        return Path(importlib.util.find_spec(self.unit).origin).parent

    @property
    def settings_file(self) -> Path:
        return self.folder / "settings.yaml"

    @property
    def train(self) -> ModuleType:
        return self.module("train")

    @property
    def figures(self) -> ModuleType:
        return self.module("figures")

    @property
    def section(self) -> ModuleType:
        return self.module("section")
