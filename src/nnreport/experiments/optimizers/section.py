"""The optimizers' section: losses and accuracies per arm, and whether SGD is slower."""

from __future__ import annotations

import itertools

import numpy as np

from nnreport.messages import listed
from nnreport.report.findings import (
    Claim,
    Finding,
    did_not_learn,
    holm,
    learned,
    make,
    mean,
    paired,
)
from nnreport.report.numbers import fixed, measured, sig
from nnreport.report.sections import base, status_text, table

CLAIMS = (Claim("sgd_slower"),)
HIDDEN_SETTINGS = ("optimizer_configs", "log_every")  # the arms' configs; log spacing


def loss_comparison(ctx) -> dict:
    """Final loss, test accuracy and status per arm (optimizers, weight initialisation)."""
    record, t, key = ctx.record, ctx.t, ctx.key
    arms = record["labels"]
    loss, acc = np.array(record["final_loss"], float), np.array(record["test_acc"], float)
    rows = [
        [
            label,
            measured(mean(loss[:, i])),  # losses span orders of magnitude
            fixed(mean(acc[:, i])),
            status_text(t, [s[i] for s in record["status"]], [d[i] for d in record["diverged_at"]]),
        ]
        for i, label in enumerate(arms)
    ]
    section = base(ctx, head=len(arms) + 1, tail=len(arms) + 1)  # the first and last blocks
    section["tables"].append(
        table(
            t(f"{key}_table", title=ctx.title),
            [t("arm"), t("final_loss"), t("test_accuracy"), t("status")],
            rows,
        )
    )
    return section


def build(ctx) -> dict:
    return loss_comparison(ctx)


def findings(ctx) -> list[Finding]:
    """Each of Momentum, AdaGrad and Adam against SGD (by registry name, whatever the labels):
    final training loss paired by seed, Holm-adjusted over the three (one family);
    inconclusive where either arm did not learn."""
    record, t = ctx.record, ctx.t
    arms = record["arms"]
    final = np.array(record["final_loss"], dtype=np.float64)  # (repeats, arms)
    acc = np.array(record["test_acc"], dtype=np.float64)
    if "sgd" not in arms:
        return []
    sgd, classes = arms.index("sgd"), record["sizes"][-1]
    compared = [i for i, arm in enumerate(arms) if arm in ("momentum", "adagrad", "adam")]
    tests = []
    for i in compared:
        stalled = [record["labels"][k] for k in (i, sgd) if not learned(acc[:, k], classes)]
        tests.append(
            did_not_learn(stalled, classes) if stalled else paired(final[:, i], final[:, sgd])
        )
    return [
        make(
            t,
            "sgd_slower",
            test,
            subject=record["labels"][i],
            other=record["labels"][i],
            n=len(final),
            other_loss=mean(final[:, i]),
            sgd_loss=mean(final[:, sgd]),
        )
        for i, test in zip(compared, holm(tests), strict=True)
    ]


def ranking(record: dict) -> str:
    """Arm labels from the lowest mean final loss to the highest."""
    loss = np.nanmean(np.array(record["final_loss"], dtype=np.float64), axis=0)
    order = np.argsort(np.where(np.isfinite(loss), loss, np.inf))
    return " < ".join(record["labels"][i] for i in order)


def summary(record: dict, t) -> list[tuple[str, str]]:
    return [(t("summary_optimizer_ranking"), ranking(record))]


WRITEUP = "HW5"  # the write-up that reran these on Fashion-MNIST and digits
LOG_ITERATION = 1900  # the last iteration HW5's logs print
# HW5's losses at iteration 1900: one run, the loss of one minibatch each, as published.
HW5_LOSSES = {
    ("optimizers", "fashion_mnist"): {
        "sgd": 0.336,
        "momentum": 0.322,
        "adagrad": 0.269,
        "adam": 0.288,
    },
    ("optimizers", "digits"): {
        "sgd": 0.0705,
        "momentum": 0.00128,
        "adagrad": 0.000271,
        "adam": 6.48e-05,
    },
    ("weight_init", "fashion_mnist"): {"std=0.01": 2.30, "xavier": 0.410, "he": 0.316},
    ("weight_init", "digits"): {"std=0.01": 2.30, "xavier": 0.0608, "he": 0.0322},
}


def hw5_losses(record: dict, arrays: dict, dataset: str) -> dict | None:
    """HW5's published losses at iteration 1900 and ours there (per seed), by arm, where HW5
    published them and our runs reach that iteration."""
    published = HW5_LOSSES.get((record["experiment"], dataset))
    loss = arrays["loss"]  # (repeats, iterations, arms)
    if not published or loss.shape[1] <= LOG_ITERATION:
        return None
    arms = [a for a in record["arms"] if a in published]
    column = {a: record["arms"].index(a) for a in arms}
    final = np.array(record["final_loss"], dtype=np.float64)  # (repeats, arms)
    return {
        "arms": arms,
        "labels": {a: record["labels"][column[a]] for a in arms},
        "theirs": published,
        "ours": {a: loss[:, LOG_ITERATION, column[a]] for a in arms},
        "final": {a: mean(final[:, column[a]]) for a in arms},
    }


def homework(record: dict, arrays: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Each arm's loss at iteration 1900 (our mean over seeds) beside HW5's single run."""
    found = hw5_losses(record, arrays, dataset)
    if found is None:
        return []
    ours = ", ".join(f"{found['labels'][a]} {sig(mean(found['ours'][a]))}" for a in found["arms"])
    theirs = ", ".join(f"{found['labels'][a]} {sig(found['theirs'][a])}" for a in found["arms"])
    return [(t("homework_loss_1900"), ours, theirs)]


def discuss(parts: list[dict], t) -> list[str]:
    """Where HW5's single run ranks two arms the other way round from our seeds' means: one
    sentence per dataset names the pairs, then one says whether HW5's differences are beyond
    what one minibatch's loss moves by (the spread of the two arms' difference from one
    iteration to the next around iteration 1900, within a seed; both arms see the same
    minibatches, as in HW5)."""
    sentences, spreads = [], {"noise": [], "beyond": []}
    largest = {"noise": 0.0, "beyond": 0.0}
    for part in parts:
        found = hw5_losses(part["record"], part["arrays"], part["name"])
        if found is None:
            continue
        loss, arms = part["arrays"]["loss"], part["record"]["arms"]
        pairs, agree = [], []
        for a, b in itertools.combinations(found["arms"], 2):
            theirs = found["theirs"][a] - found["theirs"][b]
            if np.sign(theirs) == np.sign(mean(found["ours"][a]) - mean(found["ours"][b])):
                continue
            window = slice(LOG_ITERATION - 100, LOG_ITERATION + 100)
            diff = loss[:, window, arms.index(a)] - loss[:, window, arms.index(b)]
            spread = float(np.nanstd(diff - np.nanmean(diff, axis=1, keepdims=True)))
            kind = "noise" if abs(theirs) < 2 * spread else "beyond"
            spreads[kind].append(spread)
            largest[kind] = max(largest[kind], abs(theirs))
            low, high = (a, b) if theirs < 0 else (b, a)
            names = {"low": found["labels"][low], "high": found["labels"][high]}
            pairs.append(
                t(
                    "discussion_hw5_pair",
                    **names,
                    theirs_low=sig(found["theirs"][low]),
                    theirs_high=sig(found["theirs"][high]),
                    ours_low=sig(mean(found["ours"][low])),
                    ours_high=sig(mean(found["ours"][high])),
                    final_low=sig(found["final"][low]),
                    final_high=sig(found["final"][high]),
                )
            )
            if found["final"][low] < found["final"][high]:
                agree.append(t("discussion_hw5_order", **names))
        if pairs:
            sentences.append(
                t("discussion_hw5_reversed", title=part["title"], pairs=listed(pairs, t))
            )
        if agree:
            sentences.append(t("discussion_hw5_final_agrees", pairs=listed(agree, t)))
    for kind, found_spreads in spreads.items():
        if found_spreads:
            low, high = sig(min(found_spreads), 2), sig(max(found_spreads), 2)
            spread = low if low == high else t("range", low=low, high=high)
            sentences.append(t(f"discussion_hw5_{kind}", spread=spread, largest=sig(largest[kind])))
    return sentences
