"""The TensorFlow study's section: every run, per-arm statistics, the learning-rate sweep,
and the homework's claims."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnreport.experiments.tf_mlp.figures import arm_label
from nnreport.experiments.tf_mlp.train import collapse_level
from nnreport.report.findings import (
    Claim,
    Finding,
    did_not_learn,
    equivalent,
    fisher_more,
    holm,
    learned,
    make,
    mean,
    not_applicable,
    paired,
    rank_test,
)
from nnreport.report.numbers import fixed, sig
from nnreport.report.sections import base, table

HOMEWORK_GD_ACCURACY = 0.965  # the homework's plain gradient descent, "about 96.5 %" per run
EQUIVALENCE_MARGIN = 0.01  # "about": within one point
HOMEWORK_ARM = "adam_seed"  # dropout + the homework's Adam settings
# The homework's level was measured on MNIST: it is checked there only. Collapses are defined
# on every dataset (see train.collapse_level).
CLAIMS = (
    Claim("tf_gd_level", "homework", datasets=("mnist",)),
    Claim("tf_seed_collapses", "homework"),
    Claim("tf_seed_worse", "homework"),
    Claim("tf_adam_worse", "homework"),
    Claim("tf_dropout_costs", "homework"),
    Claim("tf_settings_blamed", "homework"),
    Claim("tf_ablation", "homework"),
    Claim("tf_adam_slower_step", "homework"),
)
# Comparisons of two arms: (arm a, arm b, the direction of a against b, the factors in which
# the arms must differ). One factor, or the homework's own combined comparison, said as such.
COMPARISONS = {
    "tf_seed_worse": ("adam_seed", "gd", "less", {"optimizer", "dropout"}),
    "tf_adam_worse": ("adam_seed_plain", "gd", "less", {"optimizer"}),
    "tf_dropout_costs": ("gd_dropout", "gd", "less", {"dropout"}),
    "tf_settings_blamed": ("adam_seed", "adam_default", "less", {"settings"}),
}
FACTOR_ORDER = ("optimizer", "settings", "dropout")
GUESSED = ("beta_1", "beta_2", "epsilon")  # the settings the homework thought to tune


# Shown through the split they produce (in the caption of the sweep's table), or in a table.
HIDDEN_SETTINGS = ("train_samples", "holdout_samples", "train_fraction", "gd_sweep", "timing")
REFERENCE = "homework"
# The homework's network and budget (15 epochs of 550 batches on MNIST).
REFERENCE_SETTINGS = {
    "activation": "sigmoid",
    "batch_size": 100,
    "hidden_sizes": [256, 128, 256],
    "steps": 8250,
}


def differing(a: dict, b: dict) -> set[str]:
    """The factors in which two arms differ: the optimizer, its settings (the same optimizer
    with other hyperparameters), dropout (the keep probability)."""
    factors = set()
    if a["optimizer"]["name"] != b["optimizer"]["name"]:
        factors.add("optimizer")
    elif a["optimizer"] != b["optimizer"]:
        factors.add("settings")
    if a["keep_prob"] != b["keep_prob"]:
        factors.add("dropout")
    return factors


def changed_settings(a: dict, b: dict) -> list[str]:
    """The hyperparameters in which two arms' optimizers differ."""
    return [k for k in a["optimizer"] if k != "name" and a["optimizer"][k] != b["optimizer"][k]]


def accuracies(record: dict, arm: str) -> np.ndarray:
    """Test accuracies of an arm's runs (NaN for a diverged run)."""
    rows = [r for r in record["runs"] if r["arm"] == arm]
    return np.array([r["test_acc"] if r["status"] == "ok" else np.nan for r in rows], float)


def run_cell(t, run: dict | None) -> str:
    if run is None:
        return ""
    if run["status"] != "ok":
        return t("tf_diverged_in", epoch=run["diverged_epoch"])
    return fixed(run["test_acc"])


def arm_cell(record: dict, arm: str) -> str:
    """An arm's mean test accuracy and its collapsed runs, "0.977 (0/5)"."""
    stats = record["stats"].get(arm)
    if stats is None:
        return "—"
    return f"{fixed(stats['mean'], 3)} ({stats['collapsed']}/{stats['runs']})"


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    arms, stats = record["arms"], record["stats"]
    section = base(ctx, head=16, tail=16)
    section["tables"].append(factorial_table(record, t, ctx.title))
    homework = [a for a in ("gd", HOMEWORK_ARM) if a in arms]
    runs = {(r["arm"], r["run"]): r for r in record["runs"]}
    most = max((stats[a]["runs"] for a in homework), default=0)
    section["tables"].append(
        table(
            t("tf_run_table", title=ctx.title),
            [t("run"), *(arm_label(t, a) for a in homework)],
            [
                [f"({n})", *(run_cell(t, runs.get((a, n))) for a in homework)]
                for n in range(1, most + 1)
            ],
        )
    )
    header = ["arm", "runs", "mean", "std", "min", "max", "collapsed", "diverged"]
    section["tables"].append(
        table(
            t("tf_arm_table", level=fixed(record["collapse_level"], 2)),
            [t(h) for h in header],
            [
                [
                    arm_label(t, a),
                    str(stats[a]["runs"]),
                    fixed(stats[a]["mean"]),
                    fixed(stats[a]["std"]),
                    fixed(stats[a]["min"]),
                    fixed(stats[a]["max"]),
                    str(stats[a]["collapsed"]),
                    str(stats[a]["diverged"]),
                ]
                for a in arms
            ],
        )
    )
    if ablation_arms(record):
        section["tables"].append(ablation_table(record, t))
    if record.get("step_seconds"):
        section["tables"].append(timing_table(record, t))
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
                        fixed(r["holdout_acc"]),
                        fixed(r["test_acc"]),
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
            chosen_acc=fixed(held_out.get(chosen)),
            best="—" if best is None else f"{best:g}",
            best_acc=fixed(held_out.get(best)),
        )
    return section


def factorial_table(record: dict, t, title: str) -> dict:
    """The factorial at a glance: optimizer (rows) x dropout (columns), each cell the mean
    test accuracy and the collapsed runs; the control in a row of its own."""
    rows = [
        [t("tf_factor_gd"), arm_cell(record, "gd"), arm_cell(record, "gd_dropout")],
        [t("tf_factor_seed"), arm_cell(record, "adam_seed_plain"), arm_cell(record, HOMEWORK_ARM)],
        [t("tf_factor_default"), "—", arm_cell(record, "adam_default")],
    ]
    return table(
        t("tf_factorial_table", title=title),
        [t("optimizer"), t("tf_no_dropout"), t("tf_dropout")],
        rows,
    )


def ablation_arms(record: dict) -> list[str]:
    """The arms that differ from the homework's arm in one Adam setting only."""
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    if HOMEWORK_ARM not in record["arms"]:
        return []
    homework = settings[HOMEWORK_ARM]
    return [
        a
        for a in record["arms"]
        if differing(settings[a], homework) == {"settings"}
        and len(changed_settings(settings[a], homework)) == 1
    ]


def ablation_table(record: dict, t) -> dict:
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    homework = settings[HOMEWORK_ARM]
    rows = []
    for arm in ablation_arms(record):
        (key,) = changed_settings(settings[arm], homework)
        rows.append(
            [
                t(f"setting_{key}"),
                f"{homework['optimizer'][key]:g} → {settings[arm]['optimizer'][key]:g}",
                arm_cell(record, arm),
            ]
        )
    rows.append([t("tf_ablation_none"), "", arm_cell(record, HOMEWORK_ARM)])
    return table(
        t("tf_ablation_table"), [t("tf_reverted"), t("value"), t("tf_mean_collapsed")], rows
    )


def timing_rows(record: dict) -> list[tuple[str, float]]:
    """(arm named for its kind, median seconds per step) in the arms' order."""
    times = record["step_seconds"]
    return [(arm, float(np.median(times[arm]))) for arm in record["arms"] if arm in times]


def timing_table(record: dict, t) -> dict:
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    gd = dict(timing_rows(record)).get("gd")
    rows = []
    for arm, seconds in timing_rows(record):
        kind = settings[arm]
        rows.append(
            [
                t(f"optimizer_{kind['optimizer']['name']}"),
                t("tf_dropout") if kind["keep_prob"] < 1 else t("tf_no_dropout"),
                sig(seconds * 1000),
                sig(seconds / gd) if gd else "—",
            ]
        )
    rounds = len(next(iter(record["step_seconds"].values())))
    steps = record["settings_used"]["timing"]["steps"]
    return table(
        t("tf_timing_table", rounds=rounds, steps=steps),
        [t("optimizer"), t("tf_dropout_column"), t("tf_ms_per_step"), t("tf_ratio_gd")],
        rows,
    )


def compare(t, record: dict, claim: str, a: str, b: str, direction: str, factors: set) -> Finding:
    """Arms ``a`` and ``b`` by rank; not judged when they differ in other factors than the
    claim names (a confounded comparison is never passed off as one factor)."""
    settings = {arm["name"]: arm for arm in record["settings_used"]["arms"]}
    found = differing(settings[a], settings[b])
    numbers = {
        "a": fixed(mean(accuracies(record, a))),
        "b": fixed(mean(accuracies(record, b))),
        "a_collapsed": record["stats"][a]["collapsed"],
        "a_runs": record["stats"][a]["runs"],
        "b_collapsed": record["stats"][b]["collapsed"],
        "b_runs": record["stats"][b]["runs"],
    }
    if found != factors:
        names = ", ".join(t(f"factor_{f}") for f in FACTOR_ORDER if f in found) or "—"
        return make(
            t,
            claim,
            not_applicable("basis_confounded", factors=names),
            text_key="finding_tf_confounded",
            factors=names,
        )
    classes = record["sizes"][-1]
    if not (learned(accuracies(record, a), classes) or learned(accuracies(record, b), classes)):
        stalled = [arm_label(t, a), arm_label(t, b)]
        return make(t, claim, did_not_learn(stalled, classes), **numbers)
    return make(
        t, claim, rank_test(accuracies(record, a), accuracies(record, b), direction), **numbers
    )


def findings(ctx) -> list[Finding]:
    """The homework's claims (each skipped where an arm it needs is absent). The runs are
    independent and their accuracies bimodal (collapsed runs sit near chance), so arms are
    compared by rank (Mann–Whitney), collapse counts by Fisher's exact test."""
    record, t = ctx.record, ctx.t
    arms = set(record["arms"])
    found = []
    if "gd" in arms:
        test = equivalent(accuracies(record, "gd"), HOMEWORK_GD_ACCURACY, EQUIVALENCE_MARGIN)
        found.append(make(t, "tf_gd_level", test, gd=fixed(mean(accuracies(record, "gd")))))
    if {HOMEWORK_ARM, "adam_default"} <= arms:
        seed, control = record["stats"][HOMEWORK_ARM], record["stats"]["adam_default"]
        test = fisher_more(seed["collapsed"], seed["runs"], control["collapsed"], control["runs"])
        found.append(
            make(
                t,
                "tf_seed_collapses",
                test,
                collapsed=seed["collapsed"],
                runs=seed["runs"],
                control=control["collapsed"],
                control_runs=control["runs"],
                level=fixed(record["collapse_level"], 2),
            )
        )
    for claim, (a, b, direction, factors) in COMPARISONS.items():
        if {a, b} <= arms:
            found.append(compare(t, record, claim, a, b, direction, factors))
    found += ablation_findings(record, t)
    if timing := step_comparison(record):
        found.append(make(t, "tf_adam_slower_step", timing["test"], **timing["numbers"]))
    return found


def ablation_findings(record: dict, t) -> list[Finding]:
    """Each setting reverted alone against the homework's arm: accuracy by rank (Holm over
    the settings), the collapse counts and their Fisher test quoted beside."""
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    homework = record["stats"].get(HOMEWORK_ARM)
    variants = ablation_arms(record)
    tests = [
        rank_test(accuracies(record, v), accuracies(record, HOMEWORK_ARM), "greater")
        for v in variants
    ]
    found = []
    for arm, test in zip(variants, holm(tests), strict=True):
        (key,) = changed_settings(settings[arm], settings[HOMEWORK_ARM])
        stats = record["stats"][arm]
        fisher = fisher_more(
            homework["collapsed"], homework["runs"], stats["collapsed"], stats["runs"]
        )
        found.append(
            make(
                t,
                "tf_ablation",
                test,
                setting=t(f"setting_{key}"),
                value=f"{settings[arm]['optimizer'][key]:g}",
                mean=fixed(stats["mean"]),
                homework_mean=fixed(homework["mean"]),
                collapsed=stats["collapsed"],
                runs=stats["runs"],
                homework_collapsed=homework["collapsed"],
                homework_runs=homework["runs"],
                fisher_p=fisher.values.get("p", "—"),
                setting_key=key,
            )
        )
        found[-1].tests = 2  # the rank test and Fisher's
    return found


def step_comparison(record: dict) -> dict | None:
    """Adam's seconds per step against gradient descent's, both without dropout, paired by
    timing round (log ratio, as a ratio with its interval)."""
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    times = record.get("step_seconds") or {}
    kinds = {(settings[a]["optimizer"]["name"], settings[a]["keep_prob"]): a for a in times}
    adam, sgd = kinds.get(("adam", 1.0)), kinds.get(("sgd", 1.0))
    if adam is None or sgd is None:
        return None
    test = paired(np.log(times[adam]), np.log(times[sgd]), "greater")
    if test.effect is not None:
        test = replace(
            test,
            effect=tuple(float(np.exp(e)) for e in test.effect),
            effect_kind="effect_ratio",
            key=f"×{sig(np.exp(test.effect[0]))}",
        )
    numbers = {
        "adam": sig(np.median(times[adam]) * 1000),
        "gd": sig(np.median(times[sgd]) * 1000),
        "rounds": len(times[adam]),
    }
    return {"test": test, "numbers": numbers}


def limits(settings: dict, records: list, t) -> list[str]:
    runs = sorted({arm["runs"] for arm in settings["arms"]})
    return [t("limit_tf", runs=" / ".join(map(str, runs)))]


def summary(record: dict, t) -> list[tuple[str, str]]:
    """Mean test accuracy and collapsed runs of each arm of the factorial and the control."""
    cells = ("gd", "gd_dropout", "adam_seed_plain", HOMEWORK_ARM, "adam_default")
    parts = [f"{arm_label(t, a)} {arm_cell(record, a)}" for a in cells if a in record["arms"]]
    return [(t("summary_tf_means"), ", ".join(parts))]


# The homework's MNIST runs: plain gradient descent about 0.965 each (5 runs); dropout + Adam
# with its settings, 10 runs:
HOMEWORK_SEED_RUNS = (0.9483, 0.939, 0.2967, 0.1028, 0.9282, 0.4329, 0.9461, 0.9477, 0.2061, 0.9479)


def homework(record: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Mean accuracies and collapse counts beside the homework's (MNIST only); its collapses
    counted by the same rule, against its own best run (about 0.965)."""
    stats = record["stats"]
    if dataset != "mnist":
        return []
    rows = []
    if "gd" in stats and stats["gd"]["mean"] is not None:
        rows.append((t("homework_tf_gd"), fixed(stats["gd"]["mean"], 3), "≈ 0.965"))
    if HOMEWORK_ARM in stats and stats[HOMEWORK_ARM]["mean"] is not None:
        ours, theirs = stats[HOMEWORK_ARM], np.array(HOMEWORK_SEED_RUNS)
        level = collapse_level(record["sizes"][-1], HOMEWORK_GD_ACCURACY)
        rows.append(
            (
                t("homework_tf_seed"),
                t(
                    "homework_collapses",
                    mean=fixed(ours["mean"], 3),
                    below=ours["collapsed"],
                    runs=ours["runs"],
                ),
                t(
                    "homework_collapses",
                    mean=fixed(theirs.mean(), 3),
                    below=int((theirs < level).sum()),
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
    """Which reverted setting removes the collapses (where the ablation ran); then where the
    homework's Adam arm ran: how many of its runs began on the ln(classes) plateau, when they
    left it, and how many never did (then, why)."""
    sentences, stalled, started_plateau = ablation_sentences(parts, t), False, False
    for part in parts:
        record, cost = part["record"], part["arrays"]["cost"]
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == HOMEWORK_ARM]
        if not rows:
            continue
        exits = plateau_exits(cost[rows], record["sizes"][-1])
        stuck = sum(e is None for e in exits)
        left = sorted(e for e in exits if e is not None and e > 1)
        sentences.append(
            t(
                "discussion_tf_plateau_more" if started_plateau else "discussion_tf_plateau",
                title=part["title"],
                runs=len(rows),
                started=sum(e != 1 for e in exits),
                stuck=stuck,
                epochs=record["epochs"],
                plateau=f"{np.log(record['sizes'][-1]):.2f}",
                left=", ".join(map(str, left)) or "—",
            )
        )
        stalled |= stuck > 0 and record["stats"][HOMEWORK_ARM]["diverged"] == 0
        started_plateau = True
    if stalled:
        sentences.append(t("why_tf_plateau"))
    return sentences


def ablation_sentences(parts: list[dict], t) -> list[str]:
    """The settings whose default alone lifted the homework's arm, per dataset, and what
    that says of the homework's guess (β and ε)."""
    sentences = []
    for part in parts:
        found = [f for f in part["findings"] if f.claim == "tf_ablation"]
        if not found:
            continue
        helped = [f for f in found if f.verdict == "supported"]
        others = [f.numbers["setting"] for f in found if f.verdict != "supported"]
        key = "discussion_tf_ablation" if helped else "discussion_tf_ablation_none"
        names = ", ".join(f.numbers["setting"] for f in helped) or "—"
        sentences.append(t(key, title=part["title"], helped=names, others=", ".join(others) or "—"))
        guessed = [f for f in helped if f.numbers["setting_key"] in GUESSED]
        if guessed:
            names = ", ".join(f.numbers["setting"] for f in guessed)
            sentences.append(t("why_tf_ablation_guess_held", names=names))
        elif any(f.numbers["setting_key"] in GUESSED for f in found):
            sentences.append(t("why_tf_ablation_guess_failed"))
    return sentences
