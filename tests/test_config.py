"""The config files, the schema and the CLI's config handling agree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from nnreport import UserError, experiments
from nnreport.config import (
    deep_merge,
    experiment_settings,
    full_schema,
    load_config,
    settings_with_defaults,
)

REPO = Path(__file__).resolve().parents[1]


def test_defaults_live_in_the_unit_schemas_only():
    """config.yaml sets no experiment: the units' settings.yaml files are the one source."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    assert "experiments" not in config
    filled = load_config([REPO / "config" / "config.yaml"])
    assert set(filled["experiments"]) == set(experiments.names())
    assert filled["experiments"]["optimizers"]["iterations"] == 2000


def test_nnreport_defaults_prints_the_filled_config():
    result = subprocess.run(
        ["nnreport", "defaults", "--experiment", "dropout"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = yaml.safe_load(result.stdout)
    assert printed["experiments"]["dropout"]["dropout_ratio"] == 0.2


def test_cli_settings_are_merged_with_the_defaults_and_validated():
    settings = settings_with_defaults("optimizers", {"iterations": 5})
    assert settings["iterations"] == 5 and settings["batch_size"] == 128
    with pytest.raises(UserError, match="bad"):
        settings_with_defaults("optimizers", {"bad": 1})


def test_cli_run_with_an_unknown_setting_is_one_clear_paragraph():
    result = subprocess.run(
        ["nnreport", "run", "--experiment", "toy_optimizers", "--settings", '{"bad": 1}'],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("nnreport: error: ") and "'bad'" in result.stderr
    assert "Traceback" not in result.stderr


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
    assert describe_missing(full_schema()) == []


def test_per_dataset_settings_merge_over_shared_ones():
    config = load_config([REPO / "config" / "config.yaml"])
    config = deep_merge(config, {"per_dataset": {"digits": {"optimizers": {"batch_size": 64}}}})
    assert experiment_settings(config, "digits", "optimizers")["batch_size"] == 64
    assert experiment_settings(config, "mnist", "optimizers")["batch_size"] == 128
    assert config["experiments"]["optimizers"]["batch_size"] == 128


def test_cli_rejects_a_bad_config_naming_the_key(tmp_path):
    (tmp_path / "config.yaml").write_text("experiments: {optimizers: {batch_size: -3}}\n")
    with pytest.raises(UserError, match="batch_size"):
        load_config([tmp_path / "config.yaml"])


def test_bench_prints_one_json_line(trains, tmp_path):
    settings = {**load_config(None)["experiments"]["optimizers"], "iterations": 20, "repeats": 1}
    settings["hidden_sizes"] = [10]
    result = subprocess.run(
        [
            "nnreport",
            "bench",
            "--experiment",
            "optimizers",
            "--dataset",
            "digits",
            "--cache-dir",
            str(tmp_path),
            "--settings",
            json.dumps(settings),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(line) >= {"seconds", "gflop", "gflops", "peak_gflops", "efficiency"}
    # 6 arms x 20 steps x 6 x 128 x (64*10 + 10*10) + 6 x 2 x 360 test samples x 740 weights
    assert line["gflop"] == pytest.approx(
        (6 * 20 * 6 * 128 * 740 + 6 * 2 * 360 * 740) / 1e9, abs=1e-3
    )
    assert line["efficiency"] == pytest.approx(line["gflops"] / line["peak_gflops"], abs=2e-3)


def test_an_empty_name_on_the_title_page_is_warned_about():
    from nnreport.config import title_page_warning

    config = load_config(None)
    warning = title_page_warning(config)
    assert "report.author and report.student_id are empty" in warning
    config["report"].update(author="Kim Minji", student_id="2024-12345")
    assert title_page_warning(config) is None
