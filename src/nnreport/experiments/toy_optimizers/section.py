"""The toy-path section: where each optimizer ends on f(x, y) = x**2 / 20 + y**2."""

from __future__ import annotations

from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    rows = [
        [label, f"({x:.3f}, {y:.3f})", f"{f:.3g}"]
        for label, (x, y), f in zip(
            record["labels"], record["final_point"], record["final_value"], strict=True
        )
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
    """The optimizers from closest to farthest from the minimum, then why."""
    record = parts[0]["record"]
    order = sorted(zip(record["final_value"], record["labels"], strict=True))
    ranking = ", ".join(f"{label} ({value:.2g})" for value, label in order)
    return [
        t("discussion_toy", steps=record["settings_used"]["steps"], ranking=ranking),
        t("why_toy"),
    ]
