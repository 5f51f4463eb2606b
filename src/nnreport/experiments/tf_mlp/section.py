"""The TensorFlow study's section: every run, per-arm statistics, the learning-rate sweep,
and the homework's claims."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnreport.experiments.tf_mlp.figures import arm_label
from nnreport.experiments.tf_mlp.train import collapse_level
from nnreport.messages import listed
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
from nnreport.report.sections import base, log_excerpt, table

HOMEWORK_GD_ACCURACY = 0.965  # the homework's plain gradient descent, "about 96.5 %" per run
EQUIVALENCE_MARGIN = 0.01  # "about": within one point
HOMEWORK_ARM = "adam_seed"  # dropout + the homework's Adam settings
# The homework's level was measured on MNIST: it is checked there only. Collapses are defined
# on every dataset (see train.collapse_level).
CLAIMS = (
    Claim("tf_gd_level", "homework", datasets=("mnist",)),
    Claim("tf_seed_collapses", "report"),
    Claim("tf_seed_worse", "homework"),
    Claim("tf_adam_worse", "report"),  # DL-HW#05 ran Adam only with dropout
    Claim("tf_dropout_costs", "report"),
    Claim("tf_settings_blamed", "report"),
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


# Shown through the split they produce (with the sweep's table), or in a table of their own
# (the arms: the design table).
HIDDEN_SETTINGS = (
    "train_samples",
    "holdout_samples",
    "train_fraction",
    "gd_sweep",
    "timing",
    "arms",
    "split",
)
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
    section = base(ctx)
    section["log"] = study_log(record, t)
    section["tables"].append(design_table(record, t))
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
    reverted = ablation_arms(record)  # in the ablation table
    section["tables"].append(
        table(
            t("tf_arm_table"),
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
                if a not in reverted
            ],
            note=t("tf_collapse_level", level=fixed(record["collapse_level"], 2)),
        )
    )
    if reverted:
        section["tables"].append(ablation_table(record, t))
    plateau = plateau_table(record, ctx.arrays, t)
    if plateau:
        section["tables"].append(plateau)
    if record.get("step_seconds"):
        section["tables"].append(timing_table(record, t))
    sweep = record.get("sweep")
    if sweep:
        sweep_runs = [r for r in record["runs"] if r["arm"] == "sweep"]
        section["tables"].append(
            table(
                t("tf_sweep_table", arm=arm_label(t, sweep["arm"]), chosen=f"{sweep['chosen']:g}"),
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
                note=t(
                    "tf_sweep_note",
                    epochs=record["epochs"],
                    steps=record["epochs"] * steps_per_epoch(record),
                    **record["split"],
                ),
            )
        )
    return section


def study_log(record: dict, t, shown: int = 2) -> str:
    """The console lines of a finished and a collapsed run with DL-HW#05's Adam (the first
    ``shown`` epochs, the last, the accuracy), as the homework printed them; each arm quoted
    by its display name."""
    homework = [r for r in record["runs"] if r["arm"] == HOMEWORK_ARM and r["status"] == "ok"]
    collapsed = [r for r in homework if r["test_acc"] < record["collapse_level"]][:1]
    runs = [r for r in homework if r not in collapsed][:1] + collapsed
    lines = []
    for run in runs:
        tag = f"[{run['arm']} ({run['run']}) seed {run['seed']}]"
        quoted = f"[{arm_label(t, run['arm'])} ({run['run']}) seed {run['seed']}]"
        own = [line.replace(tag, quoted, 1) for line in record["log"] if line.startswith(tag)]
        lines += [*own[:shown], "(…)", *own[-2:]] if len(own) > shown + 2 else own
    return log_excerpt(lines, len(lines), 0)


def design_table(record: dict, t) -> dict:
    """The arms: optimizer and its settings, dropout, runs, and where an arm runs on some
    datasets only."""
    keys = ("learning_rate", "beta_1", "beta_2", "epsilon")
    rows = []
    for arm in record["settings_used"]["arms"]:
        optimizer = arm["optimizer"]
        rows.append(
            [
                arm_label(t, arm["name"]),
                t(f"optimizer_{optimizer['name']}"),
                *(f"{optimizer[k]:g}" if k in optimizer else "—" for k in keys),
                f"{arm['keep_prob']:g}",
                str(arm["runs"]),
                ", ".join(dataset_title(d) for d in arm["datasets"])
                if arm.get("datasets")
                else t("tf_every_dataset"),
            ]
        )
    header = [t("arm"), t("optimizer"), *(t(f"setting_{k}") for k in keys), t("tf_keep")]
    return table(t("tf_design_table"), [*header, t("runs"), t("tf_datasets")], rows)


def dataset_title(name: str) -> str:
    from nnreport.data import BUILTIN

    return BUILTIN[name].title if name in BUILTIN else name


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


def geometric_mean(values) -> float:
    return float(np.exp(np.mean(np.log(values))))


def timing_rows(record: dict) -> list[tuple[str, float]]:
    """(arm named for its kind, geometric mean of its seconds per step over the rounds) in
    the arms' order. With every kind timed in each round, the ratio of two of these means is
    the geometric mean of the per-round ratios, the estimate the verdict tests."""
    times = record["step_seconds"]
    return [(arm, geometric_mean(times[arm])) for arm in record["arms"] if arm in times]


def timing_table(record: dict, t) -> dict:
    """Time per step of each kind and its ratio to gradient descent without dropout."""
    times = record["step_seconds"]
    base = geometric_mean(times["gd"]) if "gd" in times else None
    rows = []
    for arm, seconds in timing_rows(record):
        ratio = "—" if base is None else sig(seconds / base)
        rows.append([arm_label(t, arm), sig(seconds * 1000), ratio])
    rounds = len(next(iter(times.values())))
    steps = record["settings_used"]["timing"]["steps"]
    return table(
        t("tf_timing_table", rounds=rounds, steps=steps),
        [t("arm"), t("tf_ms_per_step"), t("tf_ratio_gd")],
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
                subject=t(f"setting_{key}"),
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
            rule="rule_timing",
            basis="basis_timing",
        )
    numbers = {
        "adam": sig(geometric_mean(times[adam]) * 1000),
        "gd": sig(geometric_mean(times[sgd]) * 1000),
        "rounds": len(times[adam]),
    }
    return {"test": test, "numbers": numbers}


def limits(settings: dict, records: list, t) -> list[str]:
    runs = sorted({arm["runs"] for arm in settings["arms"]})
    return [t("limit_tf", runs=" / ".join(map(str, runs)))]


WRITEUP = "DL-HW#05"
# DL-HW#05's MNIST runs: plain gradient descent about 0.965 each (5 runs); dropout + Adam
# with its settings, 10 runs:
HOMEWORK_SEED_RUNS = (0.9483, 0.939, 0.2967, 0.1028, 0.9282, 0.4329, 0.9461, 0.9477, 0.2061, 0.9479)


def homework(record: dict, arrays: dict, dataset: str, t) -> list[tuple[str, str, str]]:
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


def steps_per_epoch(record: dict) -> int:
    """Optimizer steps in one epoch: whole minibatches of the training split (train.py)."""
    train = record["split"]["train"]
    return max(train // min(record["settings_used"]["batch_size"], train), 1)


def plateau_table(record: dict, arrays: dict, t) -> dict | None:
    """Where DL-HW#05's arm ran: how many of its runs start on the ln(classes) plateau, the
    epochs in which runs leave it, and how many are still on it after the last epoch."""
    rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == HOMEWORK_ARM]
    if not rows:
        return None
    classes = record["sizes"][-1]
    exits = plateau_exits(arrays["cost"][rows], classes)
    left = sorted(e for e in exits if e is not None and e > 1)
    return table(
        t("tf_plateau_table"),
        [t("arm"), t("tf_plateau_start"), t("tf_plateau_left"), t("tf_plateau_stuck")],
        [
            [
                arm_label(t, HOMEWORK_ARM),
                t("of_runs", count=sum(e != 1 for e in exits), runs=len(rows)),
                ", ".join(map(str, left)) or t("none"),
                t("of_runs", count=sum(e is None for e in exits), runs=len(rows)),
            ]
        ],
        note=t(
            "tf_plateau_note",
            classes=classes,
            plateau=sig(np.log(classes)),
            epochs=record["epochs"],
        ),
    )


def discuss(parts: list[dict], t) -> list[str]:
    """Which reverted setting lifts DL-HW#05's arm (where the ablation ran); then, where runs
    of that arm stayed on the plateau without diverging, why they end low."""
    sentences = ablation_sentences(parts, t) + level_sentences(parts, t)
    for part in parts:
        record, cost = part["record"], part["arrays"]["cost"]
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == HOMEWORK_ARM]
        stuck = any(e is None for e in plateau_exits(cost[rows], record["sizes"][-1]))
        if rows and stuck and record["stats"][HOMEWORK_ARM]["diverged"] == 0:
            return [*sentences, t("why_tf_plateau")]
    return sentences


def level_sentences(parts: list[dict], t) -> list[str]:
    """Where a sweep run of gradient descent at another rate than the one the arm uses lands
    within one point of DL-HW#05's 96.5 %: the verdict on that level is about the rate used."""
    claim = next(c for c in CLAIMS if c.key == "tf_gd_level")
    sentences = []
    for part in parts:
        record, sweep = part["record"], part["record"].get("sweep")
        if not sweep or sweep["arm"] != "gd" or not claim.applies_to(part["name"]):
            continue
        near = [
            r
            for r in record["runs"]
            if r["arm"] == "sweep"
            and r["learning_rate"] != sweep["chosen"]
            and abs(r["test_acc"] - HOMEWORK_GD_ACCURACY) <= EQUIVALENCE_MARGIN
        ]
        if near:
            runs = [f"{r['learning_rate']:g} ({fixed(r['test_acc'])})" for r in near]
            chosen = f"{sweep['chosen']:g}"
            sentences.append(
                t(
                    "discussion_tf_level_rate",
                    title=part["title"],
                    runs=listed(runs, t),
                    chosen=chosen,
                )
            )
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
        worse = [f.numbers["setting"] for f in found if f.verdict == "not_supported"]
        others = [f.numbers["setting"] for f in found if f.verdict == "inconclusive"]
        key = "discussion_tf_ablation" if helped else "discussion_tf_ablation_none"
        names = ", ".join(f.numbers["setting"] for f in helped) or "—"
        sentences.append(t(key, title=part["title"], helped=names, others=", ".join(others) or "—"))
        if worse:
            sentences.append(t("discussion_tf_ablation_worse", worse=", ".join(worse)))
        guessed = [f for f in helped if f.numbers["setting_key"] in GUESSED]
        missed = [
            f.numbers["setting"]
            for f in found
            if f.numbers["setting_key"] in GUESSED and f not in guessed
        ]
        if guessed:
            names = ", ".join(f.numbers["setting"] for f in guessed)
            sentences.append(
                t("why_tf_ablation_guess_partly", names=names, others=", ".join(missed))
                if missed
                else t("why_tf_ablation_guess_held", names=names)
            )
        elif missed:
            sentences.append(t("why_tf_ablation_guess_failed"))
    return sentences
