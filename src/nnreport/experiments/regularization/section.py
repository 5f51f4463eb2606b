"""The overfitting sections: train and test accuracy per repeat; the gap, and whether weight
decay or dropout narrows it (against the ``overfit`` result of the same dataset)."""

from __future__ import annotations

from nnreport.report.findings import Claim, Finding, above, less, make, mean
from nnreport.report.sections import base, fmt, table

SUMMARY_ROWS = {
    "overfit": "summary_gap_none",
    "weight_decay": "summary_gap_decay",
    "dropout": "summary_gap_dropout",
}
CLAIMS = (Claim("overfit_gap"), Claim("weight_decay_narrows"), Claim("dropout_narrows"))


def build(ctx) -> dict:
    record, t = ctx["record"], ctx["t"]
    rows = [
        [str(r + 1), fmt(tr), fmt(te), fmt(gap)]
        for r, (tr, te, gap) in enumerate(
            zip(record["final_train_acc"], record["final_test_acc"], record["gap"], strict=True)
        )
    ]
    summary = record["summary"]
    if len(rows) > 1:
        rows.append([t("mean"), fmt(summary["train_acc"]), fmt(summary["test_acc"]),
                     fmt(summary["gap"])])  # fmt: skip
    section = base(ctx)
    section["tables"].append(
        table(
            t("regularization_table", title=ctx["title"]),
            [t("repeat"), t("train_accuracy"), t("test_accuracy"), t("gap")],
            rows,
        )  # fmt: skip
    )
    return section


def findings(ctx) -> list[Finding]:
    record, t, key = ctx["record"], ctx["t"], ctx["key"]
    if key == "overfit":
        gap = record["gap"]
        return [make(t, "overfit_gap", above(gap, 0.1), train=mean(record["final_train_acc"]),
                     test=mean(record["final_test_acc"]), gap=mean(gap))]  # fmt: skip
    overfit = ctx["load"]("overfit")
    if overfit is None:
        return []
    before = overfit[0]["gap"]
    return [make(t, f"{key}_narrows", less(record["gap"], before), before=mean(before),
                 after=mean(record["gap"]))]  # fmt: skip


def summary(record: dict, t) -> list[tuple[str, str]]:
    """The mean train-test gap, on the row of this experiment."""
    return [(t(SUMMARY_ROWS[record["experiment"]]), f"{mean(record['gap']):.2f}")]
