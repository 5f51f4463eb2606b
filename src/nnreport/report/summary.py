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


SOURCES = ("textbook", "homework")
VERDICTS = ("supported", "not_supported", "inconclusive")


def all_findings(datasets: list[dict]):
    for ds in datasets:
        for section in ds["sections"]:
            for finding in section["findings"]:
                yield ds, finding


def conclusion(datasets: list[dict], t) -> list[dict]:
    """Per source (textbook, TF homework), one line per claim: on which datasets it was
    supported, not supported, inconclusive or not applicable."""
    by_claim: dict[str, dict[str, list[str]]] = {}
    sources: dict[str, str] = {}
    caveats: dict[tuple[str, str], list[str]] = {}
    for ds, finding in all_findings(datasets):
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
            parts += [t(key, datasets=", ".join(names))
                      for (c, key), names in caveats.items() if c == claim]  # fmt: skip
            lines.append(f"{t('claim_' + claim)} — {'; '.join(parts)}.")
        if lines:
            groups.append({"title": t(f"source_{source}"), "lines": lines})
    return groups


def counts(datasets: list[dict]) -> dict[str, int]:
    """Verdicts per source (``textbook_supported``, ...) and the not-applicable checks."""
    total = {f"{s}_{v}": 0 for s in SOURCES for v in VERDICTS}
    total["not_applicable"] = 0
    for _, finding in all_findings(datasets):
        key = "not_applicable" if finding.verdict == "not_applicable" else (
            f"{finding.source}_{finding.verdict}")  # fmt: skip
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
