"""The batch-norm section: final training accuracy per weight scale, with and without."""

from __future__ import annotations

import numpy as np

from nnreport.report.findings import Claim, Finding, above, make, mean
from nnreport.report.sections import base, fmt, table

CLAIMS = (Claim("bn_wins"),)


def build(ctx) -> dict:
    record, t = ctx["record"], ctx["t"]
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    rows = [
        [f"{scale:.3g}", fmt(mean(final[:, 0, i])), fmt(mean(final[:, 1, i]))]
        for i, scale in enumerate(record["scales"])
    ]
    section = base(ctx, head=8, tail=8)
    wins = record["batch_norm_wins"]
    section["highlight"] = t("batch_norm_wins", wins=wins[0] if len(wins) == 1 else
                             f"{min(wins)}–{max(wins)}", total=len(record["scales"]))  # fmt: skip
    section["tables"].append(
        table(
            t("batch_norm_table", title=ctx["title"]),
            [t("weight_scale"), t("without_bn"), t("with_bn")],
            rows,
        )  # fmt: skip
    )
    return section


def findings(ctx) -> list[Finding]:
    record, t = ctx["record"], ctx["t"]
    wins = np.asarray(record["batch_norm_wins"], dtype=np.float64)
    total = len(record["scales"])
    return [make(t, "bn_wins", above(wins, total / 2), wins=int(round(mean(wins))), total=total)]


def summary(record: dict, t) -> list[tuple[str, str]]:
    return [(t("summary_bn_wins"), f"{record['batch_norm_wins'][0]} / {len(record['scales'])}")]
