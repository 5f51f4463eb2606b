"""Loading and merging the workflow config outside Snakemake (the ``nnreport`` CLI).

The Snakefile validates with the same schema; :func:`experiment_settings` is shared by both.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from nnreport import UserError

DEFAULT_CONFIGFILE = Path("config/config.yaml")


def deep_merge(base: dict, override: dict) -> dict:
    """A copy of ``base`` with ``override`` merged in; nested dicts merge, the rest replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def experiment_settings(config: dict, dataset: str | None, experiment: str) -> dict:
    """The settings of ``experiment`` for ``dataset``: shared settings + per-dataset changes."""
    settings = config["experiments"][experiment]
    if dataset is None:
        return copy.deepcopy(settings)
    override = config.get("per_dataset", {}).get(dataset, {}).get(experiment, {})
    return deep_merge(settings, override)


def validate_config(config: dict, schema_path: str | Path) -> None:
    """Validate ``config`` against the schema (filling defaults in place), as Snakemake does."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    try:
        validate(config, str(schema_path), set_default=True)
    except WorkflowError as err:
        detail = str(err).split("\n\n")
        raise UserError(
            "The config does not match config/schema.yaml: "
            + " ".join(line.strip() for line in detail[1:] if line.strip())[:800]
            + " Fix the named key and run again."
        ) from None


def load_config(configfiles: list[str | Path] | None) -> dict:
    """Merge YAML config files (later ones win) and validate them against the schema that
    sits next to the first one (``config/schema.yaml``)."""
    paths = [Path(p) for p in configfiles] if configfiles else [DEFAULT_CONFIGFILE]
    config: dict = {}
    for path in paths:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise UserError(
                f"The config file {path} does not exist. Run nnreport from the project folder "
                "or pass --configfile."
            ) from None
        except yaml.YAMLError as err:
            raise UserError(f"The config file {path} is not valid YAML: {err}") from None
        config = deep_merge(config, loaded)
    validate_config(config, paths[0].parent / "schema.yaml")
    check_consistency(config)
    return config


def check_consistency(config: dict) -> None:
    """Checks that relate several keys, which JSON Schema cannot express."""
    problems = []
    for dataset, search in _search_settings(config):
        where = "experiments.hparam_search" + (f" (per_dataset.{dataset})" if dataset else "")
        for key in ("lr_range", "weight_decay_range"):
            low, high = search[key]
            if not low < high:
                problems.append(
                    f"{where}.{key} is [{low}, {high}]: the low end must be below the high end"
                )
        if search["shards"] > search["trials"]:
            problems.append(
                f"{where}.shards is {search['shards']} but trials is {search['trials']}: "
                "a shard would have no trial"
            )
    if problems:
        raise UserError(
            "Invalid config: " + "; ".join(problems) + ". Fix the named keys and run again."
        )


def _search_settings(config: dict):
    experiments = config.get("experiments", {})
    if "hparam_search" not in experiments:
        return
    yield None, experiments["hparam_search"]
    for dataset in config.get("datasets", []):
        if "hparam_search" in config.get("per_dataset", {}).get(dataset, {}):
            yield dataset, experiment_settings(config, dataset, "hparam_search")
