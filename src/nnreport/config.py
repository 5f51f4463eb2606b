"""The workflow config: loading, merging, validating and filling in defaults.

The schema is ``nnreport/schema.yaml`` (the top level: datasets, report, ...) with every
registered experiment's ``settings.yaml`` placed under ``experiments`` (and its ``$defs``
beside the shared ones): defaults live in those schemas only. ``scale: smoke`` puts each
unit's ``smoke.yaml`` under the settings a config file gives. The Snakefile and the CLI both
validate through :func:`validate_config`, so both work from any folder.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml

from nnreport import UserError, experiments

DEFAULT_CONFIGFILE = Path("config/config.yaml")
SCHEMA = Path(__file__).resolve().parent / "schema.yaml"  # package data


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


@cache
def _schema() -> dict:
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    settings = {}
    for experiment in experiments.registry().values():
        declared = unit_file(experiment, "settings.yaml")
        if experiment.name not in declared:
            raise UserError(
                f"{experiment.folder / 'settings.yaml'} declares no settings for the experiment "
                f"{experiment.name!r}. Add its schema (a description and default per key)."
            )
        settings[experiment.name] = declared[experiment.name]
        for name, definition in declared.get("$defs", {}).items():
            if schema["$defs"].get(name, definition) != definition:
                raise UserError(
                    f"{experiment.folder / 'settings.yaml'} defines $defs.{name}, which the "
                    "config schema or another unit defines differently. Rename it."
                )
            schema["$defs"][name] = definition
    schema["properties"]["experiments"]["properties"] = settings
    schema["properties"]["per_dataset"]["additionalProperties"]["propertyNames"] = {
        "enum": experiments.names(needs_dataset=True)
    }
    return schema


def unit_file(experiment, name: str) -> dict:
    """A YAML file of the experiment's unit (settings.yaml, smoke.yaml), read once."""
    return _unit_yaml(experiment.folder / name)


@cache
def _unit_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def smoke_settings(config: dict) -> None:
    """``scale: smoke``: each unit's tiny settings under the ones the config gives."""
    if config.get("scale") != "smoke":
        return
    given = config.setdefault("experiments", {})
    for experiment in experiments.registry().values():
        tiny = unit_file(experiment, "smoke.yaml").get(experiment.name, {})
        given[experiment.name] = deep_merge(tiny, given.get(experiment.name) or {})


def full_schema() -> dict:
    """The whole config schema: the top level plus every experiment's settings schema."""
    return copy.deepcopy(_schema())


def _filling_validator(schema: dict):
    """A JSON Schema validator that also writes each absent key's default into the instance."""
    from jsonschema import Draft202012Validator, validators

    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def properties(validator, props, instance, subschema):
        if isinstance(instance, dict):
            for key, sub in props.items():
                if "default" in sub and key not in instance:
                    instance[key] = copy.deepcopy(sub["default"])
        yield from check_properties(validator, props, instance, subschema)

    return validators.extend(Draft202012Validator, {"properties": properties})(schema)


def validate_config(config: dict) -> None:
    """Validate ``config`` in place, filling in every default; one paragraph per problem."""
    from jsonschema.exceptions import best_match

    smoke_settings(config)
    validator = _filling_validator(full_schema())
    error = best_match(validator.iter_errors(config))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        raise UserError(
            f"The config does not match the schema at {where}: {error.message[:600]}. "
            "Fix the named key (every key, its meaning and default: `nnreport defaults`) "
            "and run again."
        )
    check_consistency(config)


def title_page_warning(config: dict) -> str | None:
    """A warning when the title page would name no one (``report.author``/``student_id``)."""
    missing = [f"report.{key}" for key in ("author", "student_id") if not config["report"][key]]
    if not missing:
        return None
    return (
        f"nnreport: warning: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
        "empty, so the title page names no one. Set them in config/config.yaml (report: author, "
        "student_id, course) before handing the report in."
    )


def defaults(scale: str = "book") -> dict:
    """The config that an empty config file gives (at ``scale``): every default."""
    config: dict = {"scale": scale}
    validate_config(config)
    return config


def settings_with_defaults(experiment: str, given: dict) -> dict:
    """``given`` settings of ``experiment`` merged over its defaults and validated like the
    config (the CLI's ``--settings``)."""
    experiments.get(experiment)
    if not isinstance(given, dict):
        raise UserError(
            f"--settings must be a JSON object of {experiment} settings, not {given!r}."
        )
    config = {"experiments": {experiment: copy.deepcopy(given)}}
    validate_config(config)
    return config["experiments"][experiment]


def load_config(configfiles: list[str | Path] | None) -> dict:
    """Merge YAML config files (later ones win) and validate them."""
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
    validate_config(config)
    return config


def check_consistency(config: dict) -> None:
    """Checks that relate several keys, which JSON Schema cannot express."""
    from nnreport.data import BUILTIN_NAMES

    problems = []
    known = [*BUILTIN_NAMES, *config.get("custom_datasets", {})]
    for dataset in [*config.get("datasets", []), *config.get("per_dataset", {})]:
        if dataset not in known:
            problems.append(
                f"the dataset {dataset!r} is neither built in nor declared under "
                f"custom_datasets (known: {', '.join(known)})"
            )
    for name, where, settings in _every_settings(config):
        check = experiments.get(name).hook("train", "check_settings")
        problems += [f"experiments.{name}{where}.{p}" for p in check(settings)]
    if problems:
        raise UserError(
            "Invalid config: " + "; ".join(problems) + ". Fix the named keys and run again."
        )


def _every_settings(config: dict):
    """(experiment, where, settings) for the shared settings and each dataset's changes."""
    for name, settings in config.get("experiments", {}).items():
        yield name, "", settings
        for dataset, changes in config.get("per_dataset", {}).items():
            if name in changes and dataset in config.get("datasets", []):
                yield name, f" (per_dataset.{dataset})", experiment_settings(config, dataset, name)
