"""The unit contract: every unit satisfies its protocols, keeps its words in its folder, and
the shared layers name no unit; every message is used, and none is missing."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO

from nnreport import UserError, experiments
from nnreport.config import defaults
from nnreport.deps import module_files
from nnreport.experiments.spec import ROLES, Experiment
from nnreport.messages import catalog_files, merged, read_catalog
from nnreport.plots import figure_names

PACKAGE = REPO / "src" / "nnreport"
SHARED_LAYERS = [
    *(p for p in PACKAGE.rglob("*.py") if "experiments" not in p.relative_to(PACKAGE).parts[:1]),
    *(REPO / "rules").glob("*.smk"),
    REPO / "Snakefile",
    *(REPO / "templates").rglob("*.j2"),
]


def test_every_unit_satisfies_its_protocols():
    for experiment in experiments.registry().values():
        for role in ROLES:
            experiment.module(role)  # raises, naming what is missing


def test_a_unit_missing_a_hook_is_named(tmp_path, monkeypatch):
    unit = tmp_path / "halfdone"
    unit.mkdir()
    (unit / "__init__.py").write_text("")
    (unit / "figures.py").write_text("def figure_names(experiment, settings):\n    return []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    experiment = Experiment(name="halfdone", unit="halfdone", order=1)
    with pytest.raises(UserError, match="halfdone.figures lacks draw"):
        experiment.module("figures")


def test_a_message_defined_twice_is_refused(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("report:\n  greeting: Hello\n")
    second.write_text("figures:\n  greeting: Hi\n")
    with pytest.raises(UserError, match="'greeting' is defined twice"):
        merged([first, second])


def strings_and_patterns() -> tuple[set[str], list[str]]:
    """Every string constant of the package and the templates, and every f-string (or Jinja
    ``"prefix" ~ value``) as a regular expression with at least three fixed characters."""
    strings, patterns = set(), []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else "(.+)"
                    for v in node.values
                ]
                patterns.append("".join(parts))
            elif isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):
                if isinstance(node.left.value, str):  # "class_" + name
                    patterns.append(re.escape(node.left.value) + "(.+)")
    for path in (REPO / "templates").rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        strings |= set(re.findall(r"[\"']([a-z_0-9]+)[\"']", text))
        patterns += [re.escape(p) + "(.+)" for p in re.findall(r"[\"']([a-z_]+)[\"']\s*~", text)]
    fixed = [p for p in patterns if len(re.sub(r"\\|\(\.\+\)", "", p)) >= 3]
    return strings, fixed


FAMILIES = {  # unit message families: what the part after the prefix must name
    "claim_": "claims",
    "hypothesis_": "claims",
    "finding_": "claims",
    "why_": "claims",
    "caption_": "figures",
    "review_": "experiments",
    "job_": "experiments",
}


def declared(experiment) -> dict[str, set[str]]:
    """The names a unit's dynamic messages may use: its experiments, figures and claims."""
    settings = defaults()["experiments"][experiment.name]
    return {
        "experiments": {experiment.name},
        "figures": {n.replace("-", "_") for n in figure_names(experiment, settings)},
        "claims": {claim.key for claim in experiment.hook("section", "CLAIMS")},
    }


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_message_is_used_and_none_is_missing(lang):
    catalog = merged(catalog_files(lang))
    strings, patterns = strings_and_patterns()
    unused = [
        k for k in catalog if k not in strings and not any(re.fullmatch(p, k) for p in patterns)
    ]
    assert unused == []
    names: dict[str, set[str]] = {"experiments": set(), "figures": set(), "claims": set()}
    for experiment in experiments.registry().values():
        for kind, found in declared(experiment).items():
            names[kind] |= found
    names["experiments"] |= {"prepare", "figures"}  # the pipeline's own jobs (job_<name>)
    stale = [  # a dynamic key that names nothing a unit declares
        k
        for k in set(catalog) - strings
        for prefix, kind in FAMILIES.items()
        if k.startswith(prefix) and k.removeprefix(prefix) not in names[kind]
    ]
    assert stale == []  # e.g. the messages of a claim no unit declares any more
    called = set()
    for path in [*PACKAGE.rglob("*.py"), *(REPO / "templates").rglob("*.j2")]:
        called |= set(re.findall(r"\bt\(\s*[\"']([a-z_0-9]+)[\"']\s*[,)]", path.read_text("utf-8")))
    for experiment in experiments.registry().values():
        found = declared(experiment)
        called |= {f"{experiment.name}_title", f"{experiment.name}_intro", f"job_{experiment.name}"}
        called |= {f"review_{experiment.name}"} if experiment.reviewed else set()
        called |= {f"caption_{name}" for name in found["figures"]}
        called |= {
            f"{kind}_{c}" for c in found["claims"] for kind in ("claim", "hypothesis", "finding")
        }
    assert sorted(called - set(catalog)) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_claims_and_hypotheses_need_no_values(lang):
    """They are printed as they stand (above the datasets, in the matrix): a placeholder in
    one would be printed as "{level}"."""
    catalog = merged(catalog_files(lang))
    templated = [
        key
        for key, text in catalog.items()
        if key.startswith(("claim_", "hypothesis_")) and key != "claim_subject" and "{" in text
    ]
    assert templated == []


def test_both_languages_have_the_same_messages_in_the_same_parts():
    for english, korean in zip(catalog_files("en"), catalog_files("ko"), strict=True):
        en, ko = read_catalog(english), read_catalog(korean)
        assert {p: set(keys) for p, keys in en.items()} == {p: set(k) for p, k in ko.items()}


def test_a_unit_keeps_its_words_in_its_folder():
    """The shared catalog names no unit's experiment, claim or figure."""
    shared = set().union(*read_catalog(catalog_files("en")[0]).values())
    for experiment in experiments.registry().values():
        claims = {claim.key for claim in experiment.hook("section", "CLAIMS")}
        owned = {k for k in shared if k.startswith(f"{experiment.name}_")}
        owned |= {k for k in shared for c in claims if k.endswith(f"_{c}")}
        assert owned == set(), experiment.name


def test_no_experiment_name_in_the_shared_layers():
    names = set(experiments.names())
    found = []
    for path in SHARED_LAYERS:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            literals = {
                node.value
                for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
        else:
            literals = set(re.findall(r"[\"']([a-z_0-9]+)[\"']", text))
        found += [f"{path.relative_to(REPO)}: {name}" for name in sorted(names & literals)]
    assert found == []


def test_figure_code_imports_no_section_or_report_code():
    for experiment in experiments.registry().values():
        files = module_files(experiment.module_name("figures")) + module_files("nnreport.plots")
        bad = [f for f in files if "/report/" in f or f.endswith("/section.py")]
        assert bad == [], experiment.name


def test_defaults_from_any_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "nnreport.cli", "defaults", "--experiment", "tf_mlp"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "adam_seed" in result.stdout
