"""The overfitting sections: train and test accuracy per repeat; the gap, and whether weight
decay or dropout narrows it (against the ``overfit`` result of the same dataset)."""

from __future__ import annotations

from dataclasses import replace

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
from nnreport.report.sections import base, fmt, table

SUMMARY_ROWS = {
    "overfit": "summary_gap_none",
    "weight_decay": "summary_gap_decay",
    "dropout": "summary_gap_dropout",
}
CLAIMS = (Claim("overfit_gap"), Claim("weight_decay_narrows"), Claim("dropout_narrows"))


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    rows = [
        [str(r + 1), fmt(tr), fmt(te), fmt(gap)]
        for r, (tr, te, gap) in enumerate(
            zip(record["final_train_acc"], record["final_test_acc"], record["gap"], strict=True)
        )
    ]
    summary = record["summary"]
    if len(rows) > 1:
        rows.append(
            [t("mean"), fmt(summary["train_acc"]), fmt(summary["test_acc"]), fmt(summary["gap"])]
        )
    epoch = compared_epoch(ctx)
    if epoch is not None and epoch < ctx.arrays["train_acc"].shape[1] - 1:
        train, test = (ctx.arrays[k][:, epoch] for k in ("train_acc", "test_acc"))
        rows.append(
            [
                t("mean_at_epoch", epoch=epoch),
                fmt(mean(train)),
                fmt(mean(test)),
                fmt(mean(train - test)),
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


def compared_epoch(ctx) -> int | None:
    """The epoch where a remedy is compared with the run without regularisation: the last
    both reach (dropout trains longer, the textbook's 301 epochs); None for that run itself
    or when it is missing."""
    overfit = ctx.load("overfit") if ctx.key != "overfit" else None
    if overfit is None:
        return None
    return min(ctx.arrays["test_acc"].shape[1], overfit[1]["test_acc"].shape[1]) - 1


OVERFIT_GAP = 0.1  # a train-test gap above this, on average over seeds, is overfitting


def overfit_test(record: dict) -> Test:
    return level(record["gap"], OVERFIT_GAP)


def findings(ctx) -> list[Finding]:
    """overfit: the gap is above 0.1. A remedy is judged only where overfitting was found:
    its gap against the overfit run of the same seed (same initial weights and minibatches) at
    the last epoch both reach, with the change in test accuracy (and its interval) beside it."""
    record, t, key = ctx.record, ctx.t, ctx.key
    if key == "overfit":
        gap = record["gap"]
        return [
            make(
                t,
                "overfit_gap",
                overfit_test(record),
                train=mean(record["final_train_acc"]),
                test=mean(record["final_test_acc"]),
                gap=mean(gap),
            )
        ]
    overfit = ctx.load("overfit")
    claim = f"{key}_narrows"
    if overfit is None:
        return []
    established = overfit_test(overfit[0])
    if established.verdict != "supported":
        return [
            make(
                t,
                claim,
                not_applicable("basis_no_overfitting"),
                text_key="finding_remedy_not_applicable",
                gap=mean(overfit[0]["gap"]),
                low=established.values["low"],
                high=established.values["high"],
                level=OVERFIT_GAP,
            )
        ]
    epoch = compared_epoch(ctx)
    train, test = (ctx.arrays[k][:, epoch] for k in ("train_acc", "test_acc"))
    train_0, test_0 = (overfit[1][k][:, epoch] for k in ("train_acc", "test_acc"))
    change = paired(test, test_0, "greater")
    direction = {"supported": "test_rose", "not_supported": "test_fell"}.get(
        change.verdict, "test_same"
    )
    shown = dict(zip(("effect", "low", "high"), (f"{v:.3g}" for v in change.effect), strict=True))
    narrows = replace(paired(train - test, train_0 - test_0), effect_kind="effect_gap")
    finding = make(
        t,
        claim,
        narrows,
        epoch=epoch,
        before=mean(train_0 - test_0),
        after=mean(train - test),
        test_before=mean(test_0),
        test_after=mean(test),
        test_change=t(direction, **shown),
    )
    if narrows.verdict == "supported" and direction == "test_fell":
        finding.text += " " + t("remedy_costs_accuracy")
        finding.caveat = "caveat_test_fell"
    return [finding]


def limits(settings: dict, records: list, t) -> list[str]:
    """The training subset, said once for the three experiments (they share it)."""
    if not records or records[0][1]["experiment"] != "overfit":
        return []
    return [t("limit_subset_overfit", n=f"{settings['train_samples']:,}")]


def summary(record: dict, t) -> list[tuple[str, str]]:
    """The mean train-test gap, on the row of this experiment."""
    return [(t(SUMMARY_ROWS[record["experiment"]]), f"{mean(record['gap']):.3g}")]


# The homework's published final accuracies (train, test), quoted as facts for comparison.
PUBLISHED = {
    ("overfit", "fashion_mnist"): (0.997, 0.754),
    ("overfit", "digits"): (0.997, 0.894),
    ("weight_decay", "fashion_mnist"): (0.700, 0.644),
    ("weight_decay", "digits"): (0.863, 0.822),
}


def homework(record: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Final train / test accuracy beside the homework's, where it published them."""
    published = PUBLISHED.get((record["experiment"], dataset))
    if published is None:
        return []
    ours = f"{mean(record['final_train_acc']):.3f} / {mean(record['final_test_acc']):.3f}"
    return [(t(f"homework_{record['experiment']}"), ours, "{:.3f} / {:.3f}".format(*published))]
