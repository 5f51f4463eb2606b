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
from nnreport.messages import listed
from nnreport.report.assets import Paths, load_result
from nnreport.report.code import git_commit
from nnreport.report.findings import ALPHA
from nnreport.report.verdicts import verdict_table

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


def other_results(datasets: list[str], names: list[str], paths: Paths, t) -> list[list[str]]:
    """Results that are no claim's key number, a row each with a cell per dataset: each
    unit's ``section.summary(record, t)`` gives (row label, cell) pairs."""
    rows: dict[str, list[str]] = {}
    for name in names:
        summarise = experiments.get(name).hook("section", "summary")
        for column, dataset in enumerate(datasets):
            for label, cell in summarise(load_result(paths.result(dataset, name))[0], t):
                rows.setdefault(label, [""] * len(datasets))[column] = cell
    return [[label, *cells] for label, cells in rows.items()]


SOURCES = ("textbook", "homework", "report")  # the report's own checks last
VERDICTS = ("supported", "not_supported", "inconclusive")


def all_findings(datasets: list[dict]):
    """(column, dataset, section, finding) for every finding of the report."""
    for column, ds in enumerate(datasets):
        for section in ds["sections"]:
            for finding in section["findings"]:
                yield column, ds, section, finding


def conclusion(datasets: list[dict], t) -> list[str]:
    """Across the experiments, per source: how many claims got the same verdict on every
    dataset where they were judged (supported, not supported, inconclusive), and which got
    different verdicts (across datasets, or within a family of tests on one), with where.
    The verdicts themselves, and their caveats, are in the matrix."""
    cells: dict[str, dict[str, set[str]]] = {}  # claim -> dataset title -> verdicts
    sources: dict[str, str] = {}
    for _, ds, _, finding in all_findings(datasets):
        if finding.verdict == "not_applicable":
            continue
        sources[finding.claim] = finding.source
        by_dataset = cells.setdefault(finding.claim, {})
        by_dataset.setdefault(ds["meta"]["title"], set()).add(finding.verdict)
    paragraphs = []
    for source in SOURCES:
        claims = [c for c in cells if sources[c] == source]
        if not claims:
            continue
        uniform = {v: 0 for v in VERDICTS}
        mixed = []
        for claim in claims:
            found = {v for verdicts in cells[claim].values() for v in verdicts}
            if len(found) == 1:
                uniform[found.pop()] += 1
            else:
                mixed.append(
                    t("conclusion_where", claim=t(f"claim_{claim}"), where=where(cells[claim], t))
                )
        text = t(f"conclusion_{source}", total=len(claims), **uniform)
        if mixed:
            claims_text = t("where_separator").join(mixed)
            text += " " + t("conclusion_mixed", count=len(mixed), claims=claims_text)
        paragraphs.append(text)
    return paragraphs


def where(by_dataset: dict[str, set[str]], t) -> str:
    """Each verdict with the datasets it came out on: "supported on MNIST; inconclusive on
    digits" (a dataset whose family split counts as mixed)."""
    named: dict[str, list[str]] = {}
    for title, verdicts in by_dataset.items():
        verdict = next(iter(verdicts)) if len(verdicts) == 1 else "mixed"
        named.setdefault(verdict, []).append(title)
    return t("where_separator").join(
        t("verdict_on", verdict=t(f"verdict_{v}"), datasets=listed(titles, t))
        for v, titles in named.items()
    )


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
    subsets: list[str] = []
    for name in experiments.names():
        if name not in settings:
            continue
        records = [
            (ds["meta"]["title"], section["record"])
            for ds in datasets
            for section in ds["sections"]
            if section["key"] == name
        ]
        experiment = experiments.get(name)
        lines += experiment.hook("section", "limits")(settings[name], records, t)
        subset = experiment.hook("section", "training_subset")(settings[name], t)
        if subset and subset not in subsets:
            subsets.append(subset)
    if subsets:
        lines.append(t("limit_subsets", items=listed(subsets, t)))
    return lines


def verdict_matrix(datasets: list[dict], t) -> dict:
    """Claims (grouped by source; a claim checked per subject, such as Momentum, AdaGrad and
    Adam against SGD, a row per subject) x datasets. A cell holds the verdict, the key number
    with its interval and, for a family of tests, Holm's p-value, and links to its
    experiment; a claim not judged on a dataset, or judged with a caveat, points to a note
    below the table, each note said once (``verdicts.verdict_table``)."""
    titles = [ds["meta"]["title"] for ds in datasets]
    found = list(all_findings(datasets))
    groups, notes = [], []
    for source in SOURCES:
        parts = [
            (title, [(s["key"], f) for c, _, s, f in found if c == column and f.source == source])
            for column, title in enumerate(titles)
        ]
        table = verdict_table([(title, [f for _, f in pairs]) for title, pairs in parts], t, notes)
        anchors = {(f.claim, f.subject): key for _, pairs in parts for key, f in pairs}
        for row in table["rows"]:
            row["href"] = f"#{anchors[row['key']]}"
        if table["rows"]:
            groups.append({"title": t(f"source_{source}"), "rows": table["rows"]})
    return {"columns": titles, "groups": groups, "notes": notes}


def homework_table(datasets: list[dict], names: list[str], paths: Paths, t) -> dict:
    """Our numbers beside the write-ups' published ones, a column per write-up: each unit's
    ``homework(record, arrays, dataset, t)`` gives (quantity, ours, theirs) rows for its
    ``WRITEUP``."""
    rows, writeups = [], []
    for name in names:
        experiment = experiments.get(name)
        published, writeup = (experiment.hook("section", h) for h in ("homework", "WRITEUP"))
        for ds in datasets:
            path = paths.result(ds["name"], name)
            if not path.is_file():
                continue
            for quantity, ours, theirs in published(*load_result(path), ds["name"], t):
                if theirs in ("", "—"):
                    continue  # the write-up published nothing to set beside it
                rows.append((ds["meta"]["title"], quantity, ours, writeup, theirs))
                writeups += [writeup] if writeup not in writeups else []
    return {
        "writeups": writeups,
        "rows": [
            [title, quantity, ours, *(theirs if w == writeup else "" for w in writeups)]
            for title, quantity, ours, writeup, theirs in rows
        ],
    }


def verdict_records(datasets: list[dict]) -> list[dict]:
    """Every verdict as plain data (the PDF's verdicts.json)."""
    return [
        {
            "dataset": ds["name"],
            "experiment": section["key"],
            "claim": f.claim,
            "subject": f.subject,
            "source": f.source,
            "verdict": f.verdict,
            "key": f.key_number,
            "interval": list(f.interval) if f.interval else None,
            "p": f.p,
            "basis": f.basis,
        }
        for _, ds, section, f in all_findings(datasets)
    ]


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


def job_labels(jobs: dict, t) -> dict:
    """The runtime table with each job named for the reader (``job_<name>``: the
    experiment's short name, data preparation, figures); an unknown job keeps its name."""
    rows = [
        [t(f"job_{row[0]}") if t.has(f"job_{row[0]}") else row[0], *row[1:]] for row in jobs["rows"]
    ]
    return {**jobs, "rows": rows}


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
    scale = config.get("scale", "book")
    changed = changed_settings(config, defaults(scale))  # against the defaults at its scale
    if scale != "book":
        changed = {"scale": scale, **changed}
    return {
        "commit": git_commit(),
        "versions": [(p, version(p)) for p in PACKAGES],
        "config_yaml": yaml.safe_dump(
            changed, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
        )
        if changed
        else "{}",
        "seeds": [(key, settings.get("seed")) for key, settings in config["experiments"].items()],
        "checksums": [(m["name"], f, d) for m in metas for f, d in m["checksums"].items()],
        "jobs": job_labels(
            runtime_matrix(
                job_runtimes(paths.benchmarks),
                [(m["name"], m["title"]) for m in metas] + [("general", t("dataset_free"))],
            ),
            t,
        ),
        "cores": os.cpu_count(),
        "rebuild": rebuild,
        "lock": locked_status(Path.cwd()),
    }
