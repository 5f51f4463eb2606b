"""The TensorFlow study's section: every run, per-arm statistics, the learning-rate sweep,
and the homework's claims."""

from __future__ import annotations

import numpy as np

from nnreport.experiments.tf_mlp.figures import arm_label
from nnreport.report.findings import (
    Claim,
    Finding,
    did_not_learn,
    fisher_more,
    learned,
    level,
    make,
    mean,
    rank_test,
)
from nnreport.report.sections import base, fmt, table

HOMEWORK_GD_ACCURACY = 0.965  # the homework's plain gradient descent, about 96.5 % per run
# The homework's numbers were measured on MNIST: its levels are checked there only.
CLAIMS = (
    Claim("tf_gd_level", "homework", datasets=("mnist",)),
    Claim("tf_seed_collapses", "homework", datasets=("mnist",)),
    Claim("tf_seed_worse", "homework"),
    Claim("tf_settings_blamed", "homework"),
    Claim("tf_adam_worse", "homework"),
)


# Shown through the split they produce (in the caption of the sweep's table).
HIDDEN_SETTINGS = ("train_samples", "holdout_samples", "train_fraction", "gd_sweep")
REFERENCE = "homework"
# The homework's network and budget (15 epochs of 550 batches on MNIST).
REFERENCE_SETTINGS = {
    "activation": "sigmoid",
    "batch_size": 100,
    "hidden_sizes": [256, 128, 256],
    "steps": 8250,
}


def run_cell(t, run: dict | None) -> str:
    if run is None:
        return ""
    if run["status"] != "ok":
        return t("tf_diverged_in", epoch=run["diverged_epoch"])
    return fmt(run["test_acc"])


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    arms = record["arms"]
    settings = record["settings_used"]
    section = base(ctx, head=16, tail=16)
    runs = {(r["arm"], r["run"]): r for r in record["runs"]}
    most = max(a["runs"] for a in settings["arms"])
    section["tables"].append(
        table(
            t("tf_run_table", title=ctx.title),
            [t("run"), *(arm_label(t, a) for a in arms)],
            [
                [f"({n})", *(run_cell(t, runs.get((a, n))) for a in arms)]
                for n in range(1, most + 1)
            ],
        )
    )
    stats = record["stats"]
    section["tables"].append(
        table(
            t("tf_arm_table"),
            [
                t("arm"),
                t("runs"),
                t("mean"),
                t("std"),
                t("min"),
                t("max"),
                t("good_runs"),
                t("diverged"),
            ],
            [
                [
                    arm_label(t, a),
                    str(stats[a]["runs"]),
                    fmt(stats[a]["mean"]),
                    fmt(stats[a]["std"]),
                    fmt(stats[a]["min"]),
                    fmt(stats[a]["max"]),
                    str(stats[a]["good"]),
                    str(stats[a]["diverged"]),
                ]
                for a in arms
            ],
        )
    )
    sweep = record.get("sweep")
    if sweep:
        sweep_runs = [r for r in record["runs"] if r["arm"] == "sweep"]
        section["tables"].append(
            table(
                t(
                    "tf_sweep_table",
                    arm=arm_label(t, sweep["arm"]),
                    epochs=record["epochs"],
                    **record["split"],
                ),
                [t("learning_rate"), t("holdout_accuracy"), t("test_accuracy"), t("status")],
                [
                    [
                        f"{r['learning_rate']:g}",
                        fmt(r["holdout_acc"]),
                        fmt(r["test_acc"]),
                        run_cell(t, r) if r["status"] != "ok" else t("ok"),
                    ]
                    for r in sweep_runs
                ],
            )
        )
        held_out = {r["learning_rate"]: r["holdout_acc"] for r in sweep_runs}
        best, chosen = sweep["best"], sweep["chosen"]
        section["highlight"] = t(
            "tf_sweep_highlight_best" if best == chosen else "tf_sweep_highlight",
            arm=arm_label(t, sweep["arm"]),
            chosen=f"{chosen:g}",
            chosen_acc=fmt(held_out.get(chosen)),
            best="—" if best is None else f"{best:g}",
            best_acc=fmt(held_out.get(best)),
        )
    return section


def findings(ctx) -> list[Finding]:
    """The homework's claims, checked with the control arm (skipped where an arm is absent).
    The runs are independent and their accuracies bimodal (collapsed runs sit at chance), so
    arms are compared by rank (Mann–Whitney) and collapse counts by Fisher's exact test."""
    record, t = ctx.record, ctx.t
    classes = record["sizes"][-1]
    acc = {
        a: [
            r["test_acc"] if r["status"] == "ok" else np.nan
            for r in record["runs"]
            if r["arm"] == a
        ]
        for a in record["arms"]
    }

    def mean4(arm: str) -> str:  # accuracies differ in the third decimal: quote four
        return f"{mean(acc[arm]):.4f}"

    def compare(claim: str, a: str, b: str, **numbers) -> Finding:
        stalled = [arm_label(t, arm) for arm in (a, b) if not learned(acc[arm], classes)]
        test = did_not_learn(stalled, classes) if stalled else rank_test(acc[a], acc[b])
        return make(t, claim, test, **numbers)

    found = []
    if "gd" in acc:
        found.append(
            make(t, "tf_gd_level", level(acc["gd"], HOMEWORK_GD_ACCURACY - 0.005), gd=mean4("gd"))
        )
    if "adam_seed" in acc:
        stats = record["stats"]["adam_seed"]
        collapsed = stats["runs"] - stats["good"]
        if "adam_default" in acc:
            control = record["stats"]["adam_default"]
            found.append(
                make(
                    t,
                    "tf_seed_collapses",
                    fisher_more(
                        collapsed, stats["runs"], control["runs"] - control["good"], control["runs"]
                    ),
                    collapsed=collapsed,
                    runs=stats["runs"],
                    control=control["runs"] - control["good"],
                    control_runs=control["runs"],
                )
            )
            found.append(
                compare(
                    "tf_settings_blamed",
                    "adam_seed",
                    "adam_default",
                    seed=mean4("adam_seed"),
                    default=mean4("adam_default"),
                )
            )
        if "gd" in acc:
            found.append(
                compare("tf_seed_worse", "adam_seed", "gd", seed=mean4("adam_seed"), gd=mean4("gd"))
            )
    if {"gd", "adam_default"} <= acc.keys():
        found.append(
            compare(
                "tf_adam_worse", "adam_default", "gd", default=mean4("adam_default"), gd=mean4("gd")
            )
        )
    return found


def limits(settings: dict, records: list, t) -> list[str]:
    runs = sorted({arm["runs"] for arm in settings["arms"]})
    return [t("limit_tf", runs=" / ".join(map(str, runs)))]


def summary(record: dict, t) -> list[tuple[str, str]]:
    """Mean test accuracy per arm, with its runs below 0.9 where that level means a collapse
    (the plain arm reaches it; on Fashion-MNIST no arm does, and the counts would mislead)."""
    plain = record["stats"].get("gd", {}).get("mean")
    counted = plain is not None and plain >= 0.9
    parts = []
    for arm in record["arms"]:
        stats = record["stats"][arm]
        mean_acc = "—" if stats["mean"] is None else f"{stats['mean']:.3f}"
        below = f" ({stats['runs'] - stats['good']}/{stats['runs']} < 0.9)" if counted else ""
        parts.append(f"{arm_label(t, arm)} {mean_acc}{below}")
    return [(t("summary_tf_means"), ", ".join(parts))]


# The homework's MNIST runs: plain gradient descent about 0.965 each (5 runs); dropout + Adam
# with its settings, 10 runs:
HOMEWORK_SEED_RUNS = (0.9483, 0.939, 0.2967, 0.1028, 0.9282, 0.4329, 0.9461, 0.9477, 0.2061, 0.9479)


def homework(record: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Mean accuracies and collapse counts beside the homework's (MNIST only)."""
    stats = record["stats"]
    if dataset != "mnist":
        return []
    rows = []
    if "gd" in stats and stats["gd"]["mean"] is not None:
        rows.append((t("homework_tf_gd"), f"{stats['gd']['mean']:.3f}", "≈ 0.965"))
    if "adam_seed" in stats and stats["adam_seed"]["mean"] is not None:
        s = stats["adam_seed"]
        theirs = np.array(HOMEWORK_SEED_RUNS)
        rows.append(
            (
                t("homework_tf_seed"),
                t(
                    "homework_collapses",
                    mean=f"{s['mean']:.3f}",
                    below=s["runs"] - s["good"],
                    runs=s["runs"],
                ),
                t(
                    "homework_collapses",
                    mean=f"{theirs.mean():.3f}",
                    below=int((theirs < 0.9).sum()),
                    runs=len(theirs),
                ),
            )
        )
    return rows


def plateau_exits(cost: np.ndarray, classes: int) -> list[int | None]:
    """Per run, the first epoch (from 1) whose average cost is below 95 % of ln(classes), the
    cost of a uniform guess; None for a run still on that plateau at the end."""
    level = 0.95 * np.log(classes)
    return [int(np.argmax(run < level)) + 1 if (run < level).any() else None for run in cost]


def discuss(parts: list[dict], t) -> list[str]:
    """Where the homework's Adam arm ran: how many of its runs began on the ln(classes)
    plateau, when they left it, and how many never did (then, why)."""
    sentences, stalled = [], False
    for part in parts:
        record, cost = part["record"], part["arrays"]["cost"]
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == "adam_seed"]
        if not rows:
            continue
        exits = plateau_exits(cost[rows], record["sizes"][-1])
        stuck = sum(e is None for e in exits)
        left = sorted(e for e in exits if e is not None and e > 1)
        sentences.append(
            t(
                "discussion_tf_plateau_more" if sentences else "discussion_tf_plateau",
                title=part["title"],
                runs=len(rows),
                started=sum(e != 1 for e in exits),
                stuck=stuck,
                epochs=record["epochs"],
                plateau=f"{np.log(record['sizes'][-1]):.2f}",
                left=", ".join(map(str, left)) or "—",
            )
        )
        stalled |= stuck > 0 and record["stats"]["adam_seed"]["diverged"] == 0
    if stalled:
        sentences.append(t("why_tf_plateau"))
    return sentences
