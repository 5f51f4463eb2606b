"""The parts assembled across sections: the cross-dataset table, the conclusion, the title
summary, and the provenance appendix."""

from __future__ import annotations

import csv
import os
from importlib import metadata
from pathlib import Path

import yaml

from nnreport import experiments
from nnreport.report.assets import Paths, load_result
from nnreport.report.code import git_commit

PACKAGES = ("numpy", "tensorflow", "scikit-learn", "matplotlib", "snakemake", "weasyprint",
            "jinja2", "scipy")  # fmt: skip


def version(package: str) -> str:
    for name in (package, f"{package}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def cross_dataset(datasets: list[str], names: list[str], paths: Paths, t) -> dict:
    """One row per comparison, one column per dataset: each unit's ``section.summary(record,
    t)`` gives (row label, cell) pairs."""
    rows: dict[str, list[str]] = {}
    for name in names:
        summarise = getattr(experiments.get(name).section, "summary", None)
        if summarise is None:
            continue
        for column, dataset in enumerate(datasets):
            for label, cell in summarise(load_result(paths.result(dataset, name))[0], t):
                rows.setdefault(label, [""] * len(datasets))[column] = cell
    return {
        "header": [t("comparison"), *datasets],
        "rows": [[label, *cells] for label, cells in rows.items()],
    }


def conclusion(datasets: list[dict], t) -> list[str]:
    """For every claim: on which datasets it was supported, not supported or inconclusive."""
    by_claim: dict[str, dict[str, list[str]]] = {}
    for ds in datasets:
        for section in ds["sections"]:
            for finding in section["findings"]:
                verdicts = by_claim.setdefault(finding.claim, {})
                verdicts.setdefault(finding.verdict, [])
                if ds["meta"]["title"] not in verdicts[finding.verdict]:
                    verdicts[finding.verdict].append(ds["meta"]["title"])
    lines = []
    for claim, verdicts in by_claim.items():
        parts = [f"{t('verdict_' + v)}: {', '.join(names)}" for v, names in verdicts.items()]
        lines.append(f"{t('claim_' + claim)} — {'; '.join(parts)}.")
    return lines


def counts(datasets: list[dict]) -> dict[str, int]:
    total = {"supported": 0, "not_supported": 0, "inconclusive": 0}
    for ds in datasets:
        for section in ds["sections"]:
            for finding in section["findings"]:
                total[finding.verdict] += 1
    return total


def job_runtimes(folder: Path) -> list[list[str]]:
    """Every Snakemake ``benchmark:`` file: job, seconds, max RSS (MB)."""
    rows = []
    for path in sorted(folder.rglob("*.tsv")) if folder.is_dir() else []:
        with open(path, newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if records:
            last = records[-1]
            rows.append([str(path.relative_to(folder).with_suffix("")),
                         f"{float(last['s']):.1f}", last.get("max_rss", "")])  # fmt: skip
    return rows


def provenance(config: dict, metas: list[dict], paths: Paths, rebuild: str) -> dict:
    return {
        "commit": git_commit(),
        "versions": [(p, version(p)) for p in PACKAGES],
        "config_yaml": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "seeds": [(key, settings.get("seed")) for key, settings in config["experiments"].items()],
        "checksums": [(m["name"], f, d) for m in metas for f, d in m["checksums"].items()],
        "jobs": job_runtimes(paths.benchmarks),
        "cores": os.cpu_count(),
        "rebuild": rebuild,
    }
