"""The contract between an experiment unit and the rest of nnreport.

A unit is one package under ``nnreport.experiments`` (one folder), holding:

``__init__.py``        ``EXPERIMENTS``: one :class:`Experiment` per config key it defines
``train.py``           :class:`TrainModule` (or :class:`ShardedTrainModule`); no figure or
                       report imports, so that a figure edit reruns no training
``figures.py``         :class:`FiguresModule`; no section or report imports, so that a report
                       edit redraws no figure
``section.py``         :class:`SectionModule`, plus any of the optional hooks of
                       :class:`SectionHooks`
``settings.yaml``      the JSON Schema of each experiment's settings: a description and a
                       default for every key (the one place where defaults live); a
                       top-level ``$defs`` is shared with the config schema
``smoke.yaml``         the tiny settings of ``config/smoke.yaml``'s preview, per experiment
``messages.<lang>.yaml``  its words (``figures:`` labels, ``report:`` text); English required

:meth:`Experiment.module` imports a role's module and checks it against its protocol, naming
what is missing; :meth:`Experiment.hook` gives an optional hook or its default. This module
stays free of heavy imports: Snakemake reads the registry to build the DAG.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from nnreport import UserError

ROLES = ("train", "figures", "section")
UNIT_FILES = ("settings.yaml", "smoke.yaml", "messages.en.yaml")

Translate = Callable[..., str]
Result = tuple[dict, dict]  # (record: JSON-ready dict, arrays: name -> numpy array)


class TrainModule(Protocol):
    """``train.py`` of an experiment that runs as one job."""

    def run(self, data, settings: dict, rng, progress) -> Result:
        """Train on ``data`` (a ``nnreport.data.Dataset``, None when dataset-free); the
        record holds ``settings_used`` and ``log``. ``progress(step)`` may be None."""

    def nominal_flops(self, record: dict) -> float:
        """The nominal work of a finished run, for ``nnreport bench``."""


class ShardedTrainModule(Protocol):
    """``train.py`` of an experiment that runs as shard jobs, merged stage by stage
    (:func:`nnreport.runner.run_sharded` runs them all in one process, same numbers)."""

    def stages(self, settings: dict) -> int:
        """Stages run one after the other; each may read the merged stage before it."""

    def shard_steps(self, settings: dict, data, stage: int, shard: int) -> int:
        """The steps one shard reports to ``progress``."""

    def run_shard(
        self, data, settings: dict, stage: int, shard: int, previous, threads: int, progress
    ) -> Result:
        """One shard of one stage; ``previous``: the merged stage before (None first)."""

    def merge(self, settings: dict, shards: list[Result], previous) -> Result:
        """One stage's shard results (and the stages before) as one result."""

    def total_steps(self, settings: dict, data) -> int:
        """All shards' steps together."""

    def nominal_flops(self, record: dict) -> float:
        """The nominal work of a finished run, for ``nnreport bench``."""


class FiguresModule(Protocol):
    """``figures.py``: which figures a result is drawn as, and how each is drawn."""

    def figure_names(self, experiment: str, settings: dict) -> list[str]:
        """File stems under ``figures/`` (unique across the units)."""

    def draw(self, name: str, record: dict, arrays: dict, title: str, t: Translate):
        """Figure ``name`` as a matplotlib Figure; ``t`` gives the ``figures:`` labels."""


@dataclass(frozen=True)
class SectionContext:
    """What a unit's section receives: the experiment and the scope it ran in, its result,
    the figures drawn from it, and a way to read another experiment's result."""

    key: str  # the experiment's config key
    scope: str  # the dataset's name, or "general" for a dataset-free experiment
    title: str  # the dataset's title (captions end with " ({title})")
    t: Translate  # the report's messages
    record: dict
    arrays: dict
    figures: list[dict]  # {"name", "uri", "wide", "caption"} per figure
    load: Callable[[str], Result | None]  # another experiment's result of this scope


class SectionModule(Protocol):
    """``section.py``: the report section and the claims it checks (a dataset-free
    experiment's section needs only ``build``: it checks no claims)."""

    CLAIMS: tuple  # nnreport.report.findings.Claim: key, source, where it applies

    def build(self, ctx: SectionContext) -> dict:
        """The section body: start from ``nnreport.report.sections.base(ctx)``."""

    def findings(self, ctx: SectionContext) -> list:
        """One ``nnreport.report.findings.Finding`` per checked claim (declared in CLAIMS)."""


class SectionHooks(Protocol):
    """Optional hooks of ``section.py`` (:data:`HOOK_DEFAULTS` gives what a unit without
    one gets)."""

    REFERENCE: str  # whose values REFERENCE_SETTINGS are: "textbook" or "homework"
    REFERENCE_SETTINGS: dict  # the reference's value of a setting, shown where ours differs
    HIDDEN_SETTINGS: tuple  # settings the settings table leaves out
    RANGE_SETTINGS: tuple  # [low, high] settings, shown as "low … high"

    def summary(self, record: dict, t: Translate) -> list[tuple[str, str]]:
        """(row label, cell) pairs for the cross-dataset table."""

    WRITEUP: str  # the write-up whose published numbers ``homework`` gives: HW5 or DL-HW#05

    def homework(self, record: dict, arrays: dict, dataset: str, t: Translate) -> list:
        """(quantity, ours, the published value) rows beside the write-up's numbers."""

    def discuss(self, parts: list[dict], t: Translate) -> list[str]:
        """Sentences of its own for the discussion; ``parts``: one dict per dataset."""

    def limits(self, settings: dict, records: list[tuple[str, dict]], t: Translate) -> list[str]:
        """Sentences for the report's limits (``records``: (dataset title, record))."""

    def training_subset(self, settings: dict, t: Translate) -> str | None:
        """A phrase naming the experiment and the training subset it uses, as the textbook
        does ("batch norm (1,000 images)"); the limits say them in one sentence."""


class TrainHooks(Protocol):
    """Optional hooks of ``train.py``."""

    def total_steps(self, settings: dict, data) -> int:
        """The steps ``run`` reports to ``progress`` (0, the default: no progress bar)."""

    def check_settings(self, settings: dict) -> list[str]:
        """Problems with relations between settings, which JSON Schema cannot express."""


class BenchModule(Protocol):
    """An optional ``bench.py``: how ``nnreport bench`` measures this experiment, instead of
    timing one run against the nominal FLOP count."""

    def benchmark(self, dataset, settings: dict, threads: int) -> dict:
        """One JSON-ready dict (``nnreport.bench.speed_line`` plus what it adds)."""


REQUIRED = {
    "train": ("run", "nominal_flops"),
    "sharded train": (
        "stages",
        "shard_steps",
        "run_shard",
        "merge",
        "total_steps",
        "nominal_flops",
    ),
    "figures": ("figure_names", "draw"),
    "section": ("build",),
    "dataset section": ("build", "CLAIMS", "findings"),  # an experiment run on datasets
}
HOOK_DEFAULTS: dict[str, dict[str, Any]] = {
    "section": {
        "CLAIMS": (),
        "REFERENCE": "textbook",
        "REFERENCE_SETTINGS": {},
        "HIDDEN_SETTINGS": (),
        "RANGE_SETTINGS": (),
        "summary": lambda record, t: [],
        "WRITEUP": None,
        "homework": lambda record, arrays, dataset, t: [],
        "discuss": lambda parts, t: [],
        "limits": lambda settings, records, t: [],
        "training_subset": lambda settings, t: None,
    },
    "train": {"check_settings": lambda settings: [], "total_steps": lambda settings, data: 0},
}


@dataclass(frozen=True)
class Experiment:
    """One experiment: a config key, the unit that implements it, and where it stands.

    ``order`` places its section in the report; ``needs_dataset`` is False for the
    dataset-free experiments (one run, under "general"); ``sharded`` ones run as shard jobs
    merged stage by stage; ``reviewed`` lists the code the report prints in its section (the
    few functions that implement the technique), ``listed`` the rest a reader may want (its
    training loop, bookkeeping), which the HTML's appendix prints and the PDF's names, both
    as ``module:qualname`` relative to the ``nnreport`` package. ``priority``: Snakemake starts
    the jobs of a higher priority first, so that the longest jobs (the TF study's shards) do
    not run alone at the end of a build while cores idle.
    """

    name: str
    unit: str
    order: int
    needs_dataset: bool = True
    sharded: bool = False
    reviewed: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()
    priority: int = 0

    def module_name(self, role: str) -> str:
        return f"{self.unit}.{role}"

    def module(self, role: str) -> ModuleType:
        """The unit's ``role`` module, checked against its protocol."""
        module = importlib.import_module(self.module_name(role))
        kind = role
        if role == "train" and self.sharded:
            kind = "sharded train"
        elif role == "section" and self.needs_dataset:
            kind = "dataset section"
        missing = [name for name in REQUIRED[kind] if not hasattr(module, name)]
        if missing:
            raise UserError(
                f"{module.__name__} lacks {', '.join(missing)}, which the {kind} module of "
                f"the experiment {self.name!r} must define (nnreport.experiments.spec, "
                "docs/extending.md)."
            )
        return module

    def optional_module(self, name: str) -> ModuleType | None:
        """A module the unit may have (``bench``: :class:`BenchModule`), else None."""
        if importlib.util.find_spec(f"{self.unit}.{name}") is None:
            return None
        return importlib.import_module(f"{self.unit}.{name}")

    def hook(self, role: str, name: str):
        """An optional hook of the unit's ``role`` module, or its default."""
        return getattr(self.module(role), name, HOOK_DEFAULTS[role][name])

    @property
    def folder(self) -> Path:
        return Path(importlib.util.find_spec(self.unit).origin).parent

    @property
    def train(self) -> ModuleType:
        return self.module("train")

    @property
    def figures(self) -> ModuleType:
        return self.module("figures")

    @property
    def section(self) -> ModuleType:
        return self.module("section")
