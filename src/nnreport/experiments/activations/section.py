"""The activation-distribution section: layer spread and saturation per initialisation."""

from __future__ import annotations

from nnreport.names import display
from nnreport.report.numbers import sig
from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx, head=3, tail=3)
    rows = [
        [display(act, t), init, " / ".join(sig(s) for s in stds), sig(sat[-1])]
        for act, per_init_std, per_init_sat in zip(
            record["activations"], record["std"], record["saturated"], strict=True
        )
        for init, stds, sat in zip(record["init_labels"], per_init_std, per_init_sat, strict=True)
    ]
    section["tables"].append(
        table(
            t("activations_table"),
            [t("activation"), t("init"), t("layer_std"), t("saturated_last")],
            rows,
        )
    )
    return section


def discuss(parts: list[dict], t) -> list[str]:
    """Why the spreads behave as the table shows (the table carries the numbers)."""
    return [t("why_activations")]
