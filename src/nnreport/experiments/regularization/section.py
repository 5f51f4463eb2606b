"""The overfitting sections: train and test accuracy per repeat; the gap, and whether weight
decay or dropout narrows it (against the ``overfit`` result of the same dataset)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnreport.report.findings import (
    Claim,
    Finding,
    Test,
    level,
    make,
    mean,
    not_applicable,
    paired,
)
from nnreport.report.numbers import fixed
from nnreport.report.sections import base, table

CLAIMS = (
    Claim("overfit_gap"),
    Claim("weight_decay_narrows"),
    Claim("weight_decay_helps", "report"),  # the textbook claims only the gap
    Claim("dropout_narrows"),
    Claim("dropout_helps", "report"),
)
REMEDIES = ("weight_decay", "dropout")  # compared with "overfit", the same net without either


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    rows = [
        [str(r + 1), fixed(tr), fixed(te), fixed(gap)]
        for r, (tr, te, gap) in enumerate(
            zip(record["final_train_acc"], record["final_test_acc"], record["gap"], strict=True)
        )
    ]
    summary = record["summary"]
    if len(rows) > 1:
        rows.append(
            [
                t("mean"),
                fixed(summary["train_acc"]),
                fixed(summary["test_acc"]),
                fixed(summary["gap"]),
            ]
        )
    last = ctx.arrays["train_acc"].shape[1] - 1
    for epoch in sorted({e for e in compared_epochs(ctx) if e < last}):
        train, test = (ctx.arrays[k][:, epoch] for k in ("train_acc", "test_acc"))
        rows.append(
            [
                t("mean_at_epoch", epoch=epoch),
                fixed(mean(train)),
                fixed(mean(test)),
                fixed(mean(train - test)),
            ]
        )
    section = base(ctx)
    section["tables"].append(
        table(
            t("regularization_table", title=ctx.title),
            [t("repeat"), t("train_accuracy"), t("test_accuracy"), t("gap")],
            rows,
        )
    )
    return section


def compared_epochs(ctx) -> list[int]:
    """The epochs at which a remedy and the run without regularisation are compared: the
    remedy's last epoch (the baseline trains as long as the longest remedy, so dropout meets
    an equally trained net and weight decay reads the same runs at its own end). For the
    baseline itself, every remedy's; none where a result is missing."""
    if ctx.key != "overfit":
        overfit = ctx.load("overfit")
        if overfit is None:
            return []
        return [min(ctx.arrays["test_acc"].shape[1], overfit[1]["test_acc"].shape[1]) - 1]
    remedies = [ctx.load(name) for name in REMEDIES]
    last = ctx.arrays["test_acc"].shape[1]
    return [min(r[1]["test_acc"].shape[1], last) - 1 for r in remedies if r is not None]


OVERFIT_RATIO = 2  # overfitting: the test error exceeds this many times the training error


def overfit_test(record: dict) -> Test:
    """Overfitting, whatever the dataset's difficulty: at the last epoch the net's error on
    unseen images exceeds twice its error on its training images (a t-test over seeds of
    test error − 2 × training error against 0)."""
    train_error = 1 - np.asarray(record["final_train_acc"], float)
    test_error = 1 - np.asarray(record["final_test_acc"], float)
    test = level(test_error - OVERFIT_RATIO * train_error, 0.0)
    return replace(test, rule="rule_overfit")


def findings(ctx) -> list[Finding]:
    """overfit: overfitting by :func:`overfit_test`. A remedy is judged only where
    overfitting was found, against the run without regularisation of the same seed (same
    initial weights and minibatches) at the remedy's last epoch, twice: does it narrow the
    train–test gap, and does it raise test accuracy?"""
    record, t, key = ctx.record, ctx.t, ctx.key
    if key == "overfit":
        errors = {
            "train_error": 1 - mean(record["final_train_acc"]),
            "test_error": 1 - mean(record["final_test_acc"]),
        }
        exact = np.all(np.asarray(record["final_train_acc"], float) == 1.0)
        errors["note"] = t("overfit_exact_fit") if exact else ""
        return [
            make(
                t,
                "overfit_gap",
                overfit_test(record),
                train=mean(record["final_train_acc"]),
                test=mean(record["final_test_acc"]),
                gap=mean(record["gap"]),
                **errors,
            )
        ]
    overfit = ctx.load("overfit")
    if overfit is None:
        return []
    established = overfit_test(overfit[0])
    if established.verdict != "supported":
        return [
            make(
                t,
                f"{key}_{kind}",
                not_applicable("basis_no_overfitting"),
                text_key="finding_remedy_not_applicable",
                claim=t("claim_overfit_gap"),
            )
            for kind in ("narrows", "helps")
        ]
    (epoch,) = compared_epochs(ctx)
    train, test = (ctx.arrays[k][:, epoch] for k in ("train_acc", "test_acc"))
    train_0, test_0 = (overfit[1][k][:, epoch] for k in ("train_acc", "test_acc"))
    numbers = {
        "epoch": epoch,
        "before": mean(train_0 - test_0),
        "after": mean(train - test),
        "test_before": mean(test_0),
        "test_after": mean(test),
    }
    narrows = replace(paired(train - test, train_0 - test_0), effect_kind="effect_gap")
    helps = paired(test, test_0, "greater")
    narrowed = make(t, f"{key}_narrows", narrows, **numbers)
    if narrows.verdict == "supported" and helps.verdict == "not_supported":
        narrowed.text += " " + t("remedy_costs_accuracy")
        narrowed.caveat = "caveat_test_fell"
    return [narrowed, make(t, f"{key}_helps", helps, **numbers)]


def training_subset(settings: dict, t) -> str | None:
    """The training subset; the three experiments share it, so the limits name it once."""
    return t("subset_overfit", n=f"{settings['train_samples']:,}")


WRITEUP = "HW5"  # the write-up that reran these on Fashion-MNIST and digits
# HW5's published final accuracies (train, test), quoted as facts for comparison.
PUBLISHED = {
    ("overfit", "fashion_mnist"): (0.997, 0.754),
    ("overfit", "digits"): (0.997, 0.894),
    ("weight_decay", "fashion_mnist"): (0.700, 0.644),
    ("weight_decay", "digits"): (0.863, 0.822),
}


HOMEWORK_EPOCH = 200  # the homework's runs ended there (the textbook's 201 evaluations)


def homework(record: dict, arrays: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Train / test accuracy after epoch 200, where the homework's runs ended, beside its
    published ones."""
    published = PUBLISHED.get((record["experiment"], dataset))
    if published is None:
        return []
    epoch = min(HOMEWORK_EPOCH, len(record["mean_train_acc"]) - 1)
    ours = (
        f"{fixed(record['mean_train_acc'][epoch], 3)} / {fixed(record['mean_test_acc'][epoch], 3)}"
    )
    return [(t(f"homework_{record['experiment']}"), ours, "{:.3f} / {:.3f}".format(*published))]
