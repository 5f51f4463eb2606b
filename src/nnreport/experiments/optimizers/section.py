"""The optimizers' section: losses and accuracies per arm, and whether SGD is slower."""

from __future__ import annotations

import numpy as np

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
from nnreport.report.numbers import fixed
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
            fixed(mean(loss[:, i])),
            fixed(mean(acc[:, i])),
            status_text(t, [s[i] for s in record["status"]], [d[i] for d in record["diverged_at"]]),
        ]
        for i, label in enumerate(arms)
    ]
    section = base(ctx, head=1 + 2 * (len(arms) + 1), tail=len(arms) + 1)
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
