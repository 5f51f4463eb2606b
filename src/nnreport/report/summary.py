"""The parts assembled across sections: the cross-dataset table, the conclusion, the title
summary, and the provenance appendix."""

from __future__ import annotations

import csv
import os
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

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


def ranking(record: dict) -> str:
    loss = np.nanmean(np.array(record["final_loss"], dtype=np.float64), axis=0)
    order = np.argsort(np.where(np.isfinite(loss), loss, np.inf))
    return " < ".join(record["arms"][i] for i in order)


def gap(record: dict) -> str:
    return f"{np.nanmean(np.array(record['gap'], dtype=np.float64)):.2f}"


def arm_means(record: dict) -> str:
    """Mean test accuracy per arm of the TensorFlow study, with its runs below 0.9."""
    parts = []
    for arm in record["arms"]:
        stats = record["stats"][arm]
        mean = "—" if stats["mean"] is None else f"{stats['mean']:.3f}"
        parts.append(f"{arm} {mean} ({stats['runs'] - stats['good']}/{stats['runs']} < 0.9)")
    return ", ".join(parts)


def cross_dataset(datasets: list[str], experiments: list[str], paths: Paths, t) -> dict:
    """One row per comparison, one column per dataset."""
    rows = []

    def add(label: str, key: str, cell) -> None:
        if key in experiments:
            rows.append([label, *(cell(load_result(paths.result(d, key))[0]) for d in datasets)])

    add(t("summary_optimizer_ranking"), "optimizers", ranking)
    add(t("summary_best_init"), "weight_init", lambda r: ranking(r).split(" < ")[0])
    add(t("summary_bn_wins"), "batch_norm",
        lambda r: f"{r['batch_norm_wins'][0]} / {len(r['scales'])}")  # fmt: skip
    add(t("summary_gap_none"), "overfit", gap)
    add(t("summary_gap_decay"), "weight_decay", gap)
    add(t("summary_gap_dropout"), "dropout", gap)
    add(t("summary_lr_range"), "hparam_search",
        lambda r: "{:.2g} … {:.2g}".format(*r["recommendation"]["lr"]))  # fmt: skip
    add(t("summary_wd_range"), "hparam_search",
        lambda r: "{:.2g} … {:.2g}".format(*r["recommendation"]["weight_decay"]))  # fmt: skip
    add(t("summary_tf_means"), "tf_mlp", arm_means)
    return {"header": [t("comparison"), *datasets], "rows": rows}


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
