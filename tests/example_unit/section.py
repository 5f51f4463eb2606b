"""The centroid section: a table of both accuracies, and one claim."""

from __future__ import annotations

from nnreport.report.findings import Claim, Finding, level, make
from nnreport.report.numbers import fixed
from nnreport.report.sections import base, table

CLAIMS = (Claim("centroid_beats_chance"),)


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx)
    rows = [[name, fixed(acc)] for name, acc in record["accuracy"].items()]
    section["tables"].append(table(t("centroid_table"), [t("arm"), t("test_accuracy")], rows))
    return section


def findings(ctx) -> list[Finding]:
    accuracy, t = ctx.record["accuracy"], ctx.t
    verdict = level([accuracy["centroid"]], accuracy["majority"])
    return [
        make(
            t,
            "centroid_beats_chance",
            verdict,
            centroid=accuracy["centroid"],
            majority=accuracy["majority"],
        )
    ]


def summary(record: dict, t) -> list[tuple[str, str]]:
    return [(t("centroid_title"), fixed(record["accuracy"]["centroid"]))]
