"""The config files, the schema and the CLI's config handling agree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from nnreport import UserError
from nnreport.config import deep_merge, experiment_settings, load_config, validate_config

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "config" / "schema.yaml"


def test_config_yaml_equals_the_schema_defaults():
    defaults: dict = {}
    validate_config(defaults, SCHEMA)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    validate_config(config, SCHEMA)
    assert config == defaults


def describe_missing(schema: dict, path: str = "") -> list[str]:
    """Properties (recursively) that lack a description or a default."""
    missing = []
    for key, sub in schema.get("properties", {}).items():
        if "description" not in sub and "$ref" not in sub:
            missing.append(f"{path}{key}: description")
        if "default" not in sub:
            missing.append(f"{path}{key}: default")
        missing += describe_missing(sub, f"{path}{key}.")
    return missing


def test_every_key_has_a_description_and_a_default():
    assert describe_missing(yaml.safe_load(SCHEMA.read_text())) == []


def test_per_dataset_settings_merge_over_shared_ones():
    config = load_config([REPO / "config" / "config.yaml"])
    config = deep_merge(config, {"per_dataset": {"digits": {"optimizers": {"batch_size": 64}}}})
    assert experiment_settings(config, "digits", "optimizers")["batch_size"] == 64
    assert experiment_settings(config, "mnist", "optimizers")["batch_size"] == 128
    assert config["experiments"]["optimizers"]["batch_size"] == 128


def test_cli_rejects_a_bad_config_naming_the_key(tmp_path):
    (tmp_path / "schema.yaml").write_text(SCHEMA.read_text())
    (tmp_path / "config.yaml").write_text("experiments: {optimizers: {batch_size: -3}}\n")
    with pytest.raises(UserError, match="batch_size"):
        load_config([tmp_path / "config.yaml"])


def test_bench_prints_one_json_line(tmp_path):
    settings = {**load_config(None)["experiments"]["optimizers"], "iterations": 20}
    settings["hidden_sizes"] = [10]
    result = subprocess.run(
        ["nnreport", "bench", "--experiment", "optimizers", "--dataset", "digits",
         "--cache-dir", str(tmp_path), "--settings", json.dumps(settings)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(line) >= {"seconds", "gflop", "gflops", "peak_gflops", "efficiency"}
    # 6 arms x 20 steps x 6 x 128 x (64*10 + 10*10) + 6 x 2 x 360 test samples x 740 weights
    assert line["gflop"] == pytest.approx(
        (6 * 20 * 6 * 128 * 740 + 6 * 2 * 360 * 740) / 1e9, abs=1e-3
    )
    assert line["efficiency"] == pytest.approx(line["gflops"] / line["peak_gflops"], abs=2e-3)
