"""The toy-path section: where each optimizer ends on f(x, y) = x**2 / 20 + y**2."""

from __future__ import annotations

from nnreport.report.numbers import sig
from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    ends = zip(record["labels"], record["final_point"], record["final_value"], strict=True)
    rows = [  # closest to the minimum first
        [label, f"({sig(x)}, {sig(y)})", sig(f)]
        for label, (x, y), f in sorted(ends, key=lambda e: e[2])
    ]
    section = base(ctx)
    section["tables"].append(
        table(
            t("toy_table", steps=record["settings_used"]["steps"]),
            [t("arm"), t("final_point"), t("final_value")],
            rows,
        )
    )
    return section


def discuss(parts: list[dict], t) -> list[str]:
    """Why the paths look as they do (the table ranks them)."""
    return [t("why_toy")]
