"""The batch-norm section: final training accuracy per weight scale, with and without."""

from __future__ import annotations

import numpy as np

from nnreport.report.findings import ALPHA, Claim, Finding, Test, make, mean, paired
from nnreport.report.sections import base, fmt, table

CLAIMS = (Claim("bn_wins"),)
HIDDEN_SETTINGS = ("weight_scales",)  # min_log10_scale and scales give them


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    rows = [
        [f"{scale:.3g}", fmt(mean(final[:, 0, i])), fmt(mean(final[:, 1, i]))]
        for i, scale in enumerate(record["scales"])
    ]
    section = base(ctx, head=8, tail=8)  # its verdict states the count of scales won
    section["tables"].append(
        table(
            t("batch_norm_table", title=ctx.title),
            [t("weight_scale"), t("without_bn"), t("with_bn")],
            rows,
        )
    )
    return section


def comparison(record: dict) -> dict:
    """Scale indices: where the plain net diverged in some seed (not compared), where batch
    norm ends significantly higher (paired over seeds), and where the plain net is ahead."""
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    plain_status = record["status"][0::2]  # (repeats, scales): runs alternate plain, BN
    diverged = [i for i in range(final.shape[2]) if any(s[i] != "ok" for s in plain_status)]
    compared = [i for i in range(final.shape[2]) if i not in diverged]
    tests = {i: paired(final[:, 1, i], final[:, 0, i], "greater") for i in compared}
    return {
        "diverged": diverged,
        "compared": compared,
        "wins": [i for i in compared if tests[i].verdict == "supported"],
        "plain_ahead": [i for i in compared if mean(final[:, 0, i]) > mean(final[:, 1, i])],
        "repeats": final.shape[0],
    }


def scale_list(record: dict, indices: list[int]) -> str:
    return ", ".join(f"{record['scales'][i]:.3g}" for i in indices) or "—"


def findings(ctx) -> list[Finding]:
    """Batch norm ahead at most weight scales where the plain net trained: a paired test per
    scale, then a majority of those scales."""
    record, t = ctx.record, ctx.t
    c = comparison(record)
    wins, total = len(c["wins"]), len(c["compared"])
    undecided = total - wins - len(c["plain_ahead"])
    if not total:
        verdict = "inconclusive"
    elif wins > total / 2:
        verdict = "supported"
    elif wins + max(undecided, 0) <= total / 2:
        verdict = "not_supported"
    else:
        verdict = "inconclusive"
    rule = "rule_bn_majority" if c["repeats"] > 1 else "rule_bn_majority_single"
    test = Test(
        verdict, rule, "basis_bn", {"n": c["repeats"], "alpha": ALPHA}, key=f"{wins}/{total}"
    )
    return [
        make(
            t,
            "bn_wins",
            test,
            wins=wins,
            total=total,
            diverged=len(c["diverged"]),
            diverged_scales=scale_list(record, c["diverged"]),
            plain_scales=scale_list(record, c["plain_ahead"]),
        )
    ]


def limits(settings: dict, records: list, t) -> list[str]:
    return [t("limit_subset_batch_norm", n=f"{settings['train_samples']:,}")]


def summary(record: dict, t) -> list[tuple[str, str]]:
    c = comparison(record)
    return [(t("summary_bn_wins"), f"{len(c['wins'])} / {len(c['compared'])}")]
