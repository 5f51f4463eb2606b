"""The batch-norm section: final training accuracy per weight scale, with and without."""

from __future__ import annotations

import numpy as np

from nnreport.report.findings import ALPHA, Claim, Finding, Test, holm, learned, make, mean, paired
from nnreport.report.numbers import fixed, sig, signed
from nnreport.report.sections import base, table

CLAIMS = (Claim("bn_wins"),)
HIDDEN_SETTINGS = ("weight_scales",)  # min_log10_scale and scales give them


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    rows = [
        [f"{scale:.3g}", fixed(mean(final[:, 0, i])), fixed(mean(final[:, 1, i]))]
        for i, scale in enumerate(record["scales"])
    ]
    section = base(ctx, head=4, tail=4)
    section["tables"].append(
        table(
            t("batch_norm_table", title=ctx.title),
            [t("weight_scale"), t("without_bn"), t("with_bn")],
            rows,
        )
    )
    behind = reversals(record, ctx.arrays["train_acc"])
    if behind:
        section["tables"].append(
            table(
                t("bn_reversal_table", window=behind[0]["window"]),
                [t("weight_scale"), t("without_bn"), t("with_bn")],
                [[sig(r["scale"]), signed(r["plain"]), signed(r["bn"])] for r in behind],
            )
        )
    return section


def reversals(record: dict, acc: np.ndarray) -> list[dict]:
    """At each scale where the plain net ends significantly ahead: how much each net's mean
    training accuracy rose over the last quarter of the epochs (``acc``: repeats, epochs,
    variant, scales)."""
    window = max(1, acc.shape[1] // 4)
    found = []
    for i in comparison(record)["losses"]:
        plain, norm = (acc[:, :, v, i].mean(axis=0) for v in (0, 1))
        rise = {"plain": plain[-1] - plain[-1 - window], "bn": norm[-1] - norm[-1 - window]}
        found.append({"scale": record["scales"][i], "window": window, **rise})
    return found


def comparison(record: dict) -> dict:
    """Scale indices: where the plain net diverged in some seed (not compared), where it
    learned at all (mean final accuracy at least chance + 0.1), where batch norm ends
    significantly higher and where significantly lower (paired over seeds; Holm over the
    compared scales, one family)."""
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    plain_status = record["status"][0::2]  # (repeats, scales): runs alternate plain, BN
    scales = range(final.shape[2])
    diverged = [i for i in scales if any(s[i] != "ok" for s in plain_status)]
    compared = [i for i in scales if i not in diverged]
    tests = holm([paired(final[:, 1, i], final[:, 0, i], "greater") for i in compared])
    verdicts = dict(zip(compared, (test.verdict for test in tests), strict=True))
    classes = record["settings_used"]["layer_sizes"][-1]
    return {
        "diverged": diverged,
        "compared": compared,
        "learned": [i for i in compared if learned(final[:, 0, i], classes)],
        "wins": [i for i in compared if verdicts[i] == "supported"],
        "losses": [i for i in compared if verdicts[i] == "not_supported"],
        "repeats": final.shape[0],
        "tests": len(compared),
    }


def scale_list(record: dict, indices: list[int]) -> str:
    return ", ".join(sig(record["scales"][i]) for i in indices) or "—"


def findings(ctx) -> list[Finding]:
    """Batch norm ahead at most weight scales where the plain net did not diverge: a paired
    test per scale (Holm over the scales), then a majority of those scales. The finding says
    at how many of them the plain net learned at all."""
    record, t = ctx.record, ctx.t
    c = comparison(record)
    wins, total, losses = len(c["wins"]), len(c["compared"]), len(c["losses"])
    undecided = total - wins - losses
    if not total:
        verdict = "inconclusive"
    elif wins > total / 2:
        verdict = "supported"
    elif wins + undecided <= total / 2:
        verdict = "not_supported"
    else:
        verdict = "inconclusive"
    rule = "rule_bn_majority" if c["repeats"] > 1 else "rule_bn_majority_single"
    learned_wins = len(set(c["wins"]) & set(c["learned"]))
    key = t("bn_key", wins=wins, total=total, learned=len(c["learned"]))
    values = {"n": c["repeats"], "alpha": ALPHA, "tests": c["tests"]}
    test = Test(verdict, rule, "basis_bn", values, key=key)
    return [
        make(
            t,
            "bn_wins",
            test,
            wins=wins,
            total=total,
            diverged=len(c["diverged"]),
            diverged_scales=scale_list(record, c["diverged"]),
            learned=len(c["learned"]),
            learned_wins=learned_wins,
            losses=losses,
            loss_scales=scale_list(record, c["losses"]),
        )
    ]


def discuss(parts: list[dict], t) -> list[str]:
    """Where the plain net ends significantly ahead: whether batch norm was still climbing
    faster there (it learns more slowly within the epochs given) or not (unexplained here)."""
    found = [
        (part["title"], r)
        for part in parts
        for r in reversals(part["record"], part["arrays"]["train_acc"])
    ]
    if not found:
        return []
    unexplained = [
        f"{title} {sig(r['scale'])}" for title, r in found if r["bn"] <= max(r["plain"], 0)
    ]
    if unexplained:
        return [t("why_bn_loses", scales="; ".join(unexplained))]
    return [t("why_bn_loses_slower")]


def training_subset(settings: dict, t) -> str:
    return t("subset_batch_norm", n=f"{settings['train_samples']:,}")
