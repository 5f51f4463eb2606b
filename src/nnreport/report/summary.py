"""The parts assembled across sections: the cross-dataset table, the conclusion, the title
summary, and the provenance appendix."""

from __future__ import annotations

import csv
import os
from importlib import metadata
from pathlib import Path

import yaml

from nnreport import experiments
from nnreport.config import defaults
from nnreport.lock import locked_status
from nnreport.report.assets import Paths, load_result
from nnreport.report.code import git_commit
from nnreport.report.findings import ALPHA

PACKAGES = (
    "numpy",
    "tensorflow",
    "scikit-learn",
    "matplotlib",
    "snakemake",
    "weasyprint",
    "jinja2",
    "scipy",
)


def version(package: str) -> str:
    for name in (package, f"{package}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def cross_dataset(
    datasets: list[str], names: list[str], paths: Paths, t, titles: list[str] | None = None
) -> dict:
    """One row per comparison, one column per dataset (headed by its title): each unit's
    ``section.summary(record, t)`` gives (row label, cell) pairs."""
    rows: dict[str, list[str]] = {}
    for name in names:
        summarise = experiments.get(name).hook("section", "summary")
        for column, dataset in enumerate(datasets):
            for label, cell in summarise(load_result(paths.result(dataset, name))[0], t):
                rows.setdefault(label, [""] * len(datasets))[column] = cell
    return {
        "header": [t("comparison"), *(titles or datasets)],
        "rows": [[label, *cells] for label, cells in rows.items()],
    }


SOURCES = ("textbook", "homework")
VERDICTS = ("supported", "not_supported", "inconclusive")


def all_findings(datasets: list[dict]):
    """(column, dataset, section, finding) for every finding of the report."""
    for column, ds in enumerate(datasets):
        for section in ds["sections"]:
            for finding in section["findings"]:
                yield column, ds, section, finding


def conclusion(datasets: list[dict], t) -> list[dict]:
    """Per source (textbook, TF homework), one line per claim: on which datasets it was
    supported, not supported, inconclusive or not applicable."""
    by_claim: dict[str, dict[str, list[str]]] = {}
    sources: dict[str, str] = {}
    caveats: dict[tuple[str, str], list[str]] = {}
    for _, ds, _, finding in all_findings(datasets):
        sources[finding.claim] = finding.source
        if finding.caveat:
            caveats.setdefault((finding.claim, finding.caveat), []).append(ds["meta"]["title"])
        verdicts = by_claim.setdefault(finding.claim, {})
        names = verdicts.setdefault(finding.verdict, [])
        if ds["meta"]["title"] not in names:
            names.append(ds["meta"]["title"])
    groups = []
    for source in SOURCES:
        lines = []
        for claim, verdicts in by_claim.items():
            if sources[claim] != source:
                continue
            parts = [f"{t('verdict_' + v)}: {', '.join(names)}" for v, names in verdicts.items()]
            parts += [
                t(key, datasets=", ".join(names))
                for (c, key), names in caveats.items()
                if c == claim
            ]
            lines.append(f"{t('claim_' + claim)} — {'; '.join(parts)}.")
        if lines:
            groups.append({"title": t(f"source_{source}"), "lines": lines})
    return groups


def limitations(config: dict, datasets: list[dict], t) -> list[str]:
    """What the verdicts rest on: the number of tests (and of claim-and-dataset cells, within
    which Holm's adjustment holds the chance of any false positive at 5 %), the seeds, then
    what each experiment's ``limits`` hook adds from its settings and results (the search's
    scoring, the TF runs, the training subsets). An experiment that did not run adds
    nothing."""
    tests = cells = 0
    counted: set[tuple[str, str]] = set()
    for _, ds, _, finding in all_findings(datasets):
        tests += finding.tests
        if finding.tests and (ds["name"], finding.claim) not in counted:
            counted.add((ds["name"], finding.claim))
            cells += 1
    lines = [t("limit_tests", tests=tests, cells=cells, by_chance=f"{cells * ALPHA:.1f}")]
    settings = config["experiments"]
    seeds = sorted({s.get("repeats", 1) for s in settings.values() if s.get("repeats", 1) > 1})
    if seeds:
        lines.append(t("limit_seeds", seeds=" / ".join(map(str, seeds))))
    for name in experiments.names():
        if name not in settings:
            continue
        records = [
            (ds["meta"]["title"], section["record"])
            for ds in datasets
            for section in ds["sections"]
            if section["key"] == name
        ]
        lines += experiments.get(name).hook("section", "limits")(settings[name], records, t)
    return lines


def verdict_matrix(datasets: list[dict], t) -> dict:
    """Claims (grouped by source) x datasets; a cell holds the verdict, its key number and
    the section it links to. Several findings of one claim in a cell (Momentum, AdaGrad and
    Adam against SGD) show how many were supported."""
    cells: dict[str, dict[int, dict]] = {}
    sources: dict[str, str] = {}
    for column, ds, section, finding in all_findings(datasets):
        sources[finding.claim] = finding.source
        href = f"#{ds['name']}-{section['key']}"
        by_column = cells.setdefault(finding.claim, {})
        by_column.setdefault(column, {"findings": [], "href": href})["findings"].append(finding)
    groups = []
    for source in SOURCES:
        rows = [
            {
                "claim": t(f"claim_{claim}"),
                "cells": [matrix_cell(by_column.get(c), t) for c in range(len(datasets))],
            }
            for claim, by_column in cells.items()
            if sources[claim] == source
        ]
        if rows:
            groups.append({"title": t(f"source_{source}"), "rows": rows})
    caveat = any(cell and cell["caveat"] for g in groups for r in g["rows"] for cell in r["cells"])
    return {"columns": [ds["meta"]["title"] for ds in datasets], "groups": groups, "caveat": caveat}


def matrix_cell(cell: dict | None, t) -> dict | None:
    if cell is None:
        return None
    found = cell["findings"]
    verdicts = {f.verdict for f in found}
    verdict = verdicts.pop() if len(verdicts) == 1 else "mixed"
    if len(found) == 1:
        number = found[0].key_number or ""
    else:
        number = f"{sum(f.verdict == 'supported' for f in found)}/{len(found)}"
    return {
        "verdict": verdict,
        "text": t(f"verdict_{verdict}"),
        "number": number,
        "href": cell["href"],
        "caveat": any(f.caveat for f in found),
    }


def homework_table(datasets: list[dict], names: list[str], paths: Paths, t) -> list[list[str]]:
    """Our numbers beside the homework's published ones: each unit's optional
    ``section.homework(record, dataset, t)`` gives (quantity, ours, the homework's) rows."""
    rows = []
    for ds in datasets:
        for name in names:
            published = experiments.get(name).hook("section", "homework")
            path = paths.result(ds["name"], name)
            if not path.is_file():
                continue
            for quantity, ours, theirs in published(load_result(path)[0], ds["name"], t):
                rows.append([ds["meta"]["title"], quantity, ours, theirs])
    return rows


def counts(datasets: list[dict]) -> dict[str, int]:
    """Verdicts per source (``textbook_supported``, ...) and the not-applicable checks."""
    total = {f"{s}_{v}": 0 for s in SOURCES for v in VERDICTS}
    total["not_applicable"] = 0
    for *_, finding in all_findings(datasets):
        key = (
            "not_applicable"
            if finding.verdict == "not_applicable"
            else (f"{finding.source}_{finding.verdict}")
        )
        total[key] += 1
    return total


def job_runtimes(folder: Path) -> list[list[str]]:
    """Every Snakemake ``benchmark:`` file: job, seconds, max RSS (MB)."""
    rows = []
    for path in sorted(folder.rglob("*.tsv")) if folder.is_dir() else []:
        with open(path, newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if records:
            last = records[-1]
            rows.append(
                [
                    str(path.relative_to(folder).with_suffix("")),
                    f"{float(last['s']):.1f}",
                    last.get("max_rss", ""),
                ]
            )
    return rows


def runtime_matrix(rows: list[list[str]], scopes: list[tuple[str, str]]) -> dict:
    """Job runtimes as one table: a row per experiment (its shards, stages and figures
    summed), a column per scope (each dataset, then the dataset-free ones), each cell
    "seconds (jobs)", and the row's largest memory use (MB). Data preparation is the row
    ``prepare``; the report's own job is left out (it is the one being written)."""
    cells: dict[str, dict[str, list[float]]] = {}
    memory: dict[str, float] = {}
    for job, seconds, rss in rows:
        parts = job.split("/")
        if len(parts) < 2:
            continue
        scope, name = (parts[1], "prepare") if parts[0] == "prepare" else (parts[0], parts[1])
        cell = cells.setdefault(name, {}).setdefault(scope, [0.0, 0])
        cell[0] += float(seconds)
        cell[1] += 1
        memory[name] = max(memory.get(name, 0.0), float(rss or 0))
    keys = [key for key, _ in scopes if any(key in row for row in cells.values())]
    return {
        "columns": [title for key, title in scopes if key in keys],
        "rows": [
            [
                name,
                *(f"{row[k][0]:.0f} ({row[k][1]})" if k in row else "—" for k in keys),
                f"{memory[name]:.0f}",
            ]
            for name, row in cells.items()
        ],
    }


def changed_settings(config: dict, default: dict) -> dict:
    """The parts of ``config`` that differ from ``default``, nested dicts key by key."""
    changed = {}
    for key, value in config.items():
        base = default.get(key) if isinstance(default, dict) else None
        if isinstance(value, dict) and isinstance(base, dict):
            if sub := changed_settings(value, base):
                changed[key] = sub
        elif value != base:
            changed[key] = value
    return changed


def provenance(config: dict, metas: list[dict], paths: Paths, rebuild: str, t) -> dict:
    changed = changed_settings(config, defaults())
    return {
        "commit": git_commit(),
        "versions": [(p, version(p)) for p in PACKAGES],
        "config_yaml": yaml.safe_dump(changed, sort_keys=False, allow_unicode=True)
        if changed
        else "{}",
        "seeds": [(key, settings.get("seed")) for key, settings in config["experiments"].items()],
        "checksums": [(m["name"], f, d) for m in metas for f, d in m["checksums"].items()],
        "jobs": runtime_matrix(
            job_runtimes(paths.benchmarks),
            [(m["name"], m["title"]) for m in metas] + [("general", t("dataset_free"))],
        ),
        "cores": os.cpu_count(),
        "rebuild": rebuild,
        "lock": locked_status(Path.cwd()),
    }
