"""The activation-distribution section: layer spread and saturation per initialisation."""

from __future__ import annotations

from nnreport.names import NAMES
from nnreport.report.sections import base, table


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx, head=12, tail=12)
    rows = [
        [NAMES.get(act, act), init, " / ".join(f"{s:.3f}" for s in stds), f"{sat[-1]:.2f}"]
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
    """The last layer's spread per activation and initialisation, then why."""
    record = parts[0]["record"]
    spreads = "; ".join(
        f"{NAMES.get(act, act)}: "
        + ", ".join(
            f"{init} {stds[-1]:.2g}"
            for init, stds in zip(record["init_labels"], per_init, strict=True)
        )
        for act, per_init in zip(record["activations"], record["std"], strict=True)
    )
    return [
        t("discussion_activations", layers=len(record["std"][0][0]), spreads=spreads),
        t("why_activations"),
    ]
