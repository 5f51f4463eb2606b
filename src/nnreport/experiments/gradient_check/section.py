"""The gradient-check section: backprop against central differences per parameter array."""

from __future__ import annotations

from nnreport.report.sections import base, table

CLAIMS = ()


def build(ctx) -> dict:
    record, t = ctx["record"], ctx["t"]
    rows = [
        [r["param"], "×".join(map(str, r["shape"])), str(r["entries"]),
         f"{r['max_abs_diff']:.2e}", f"{r['max_rel_diff']:.2e}"]
        for r in record["rows"]
    ]  # fmt: skip
    section = base(ctx, head=20, tail=10)
    section["tables"].append(
        table(
            t("gradient_check_table", title=ctx["title"]),
            [t("parameter"), t("shape"), t("entries"), t("max_abs_diff"), t("max_rel_diff")],
            rows,
        )  # fmt: skip
    )
    return section
