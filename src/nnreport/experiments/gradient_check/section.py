"""The gradient-check section: backprop against central differences per parameter array.

An array whose true gradient is zero (the bias of a layer followed by batch norm: the
normalisation removes any shift) has no relative error (0 / 0); there the absolute
difference is reported and judged.
"""

from __future__ import annotations

import numpy as np
from markupsafe import Markup

from nnreport.report.findings import Claim, Finding, Test, make
from nnreport.report.numbers import sig
from nnreport.report.sections import base, table

CLAIMS = (Claim("gradients_agree"),)
ZERO_SHARE = 1e-6  # an array's gradient is zero when its largest entry is below this share
MAX_RELATIVE = 1e-5  # of the net's largest gradient entry; the agreement limits
MAX_ABSOLUTE = 1e-8


def zero_gradient(record: dict) -> set[str]:
    largest = max(r["grad_scale"] for r in record["rows"])
    return {r["param"] for r in record["rows"] if r["grad_scale"] < ZERO_SHARE * largest}


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    zero = zero_gradient(record)
    rows = [
        [
            Markup("<code>%s</code>") % r["param"],
            t("entries_of", checked=r["entries"], size=int(np.prod(r["shape"]))),
            sig(r["max_abs_diff"]),
            t("zero_gradient") if r["param"] in zero else sig(r["max_rel_diff"]),
        ]
        for r in record["rows"]
    ]
    section = base(ctx, head=6, tail=4)
    section["tables"].append(
        table(
            t("gradient_check_table", title=ctx.title),
            [t("parameter"), t("entries"), t("max_abs_diff"), t("max_rel_diff")],
            rows,
        )
    )
    return section


def findings(ctx) -> list[Finding]:
    """Backprop agrees with central differences: relative difference below 1e-5 for every
    array, absolute below 1e-8 where the true gradient is zero."""
    record, t = ctx.record, ctx.t
    zero = zero_gradient(record)
    relative = [r["max_rel_diff"] for r in record["rows"] if r["param"] not in zero]
    absolute = [r["max_abs_diff"] for r in record["rows"] if r["param"] in zero]
    agrees = max(relative, default=0) < MAX_RELATIVE and max(absolute, default=0) < MAX_ABSOLUTE
    test = Test(
        "supported" if agrees else "not_supported",
        "rule_gradients",
        "basis_gradients",
        {"relative": f"{MAX_RELATIVE:g}", "absolute": f"{MAX_ABSOLUTE:g}"},
        key=sig(max(relative, default=0)),
    )
    return [
        make(
            t,
            "gradients_agree",
            test,
            arrays=len(record["rows"]),
            relative=sig(max(relative, default=0)),
            zero=", ".join(sorted(zero)) or "—",
            absolute=sig(max(absolute, default=0)),
        )
    ]
