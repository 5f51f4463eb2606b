"""Findings: sentences derived from the result numbers, each with a verdict on a textbook claim.

A verdict is ``supported``, ``not_supported`` or ``inconclusive``. With one repeat a comparison
rests on a single run (and says so); with several, two groups are compared by Welch's t-test
(``scipy.stats.ttest_ind(equal_var=False)``) at the 5 % level, and a single group against a
threshold by its 95 % t interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

ALPHA = 0.05
LN10 = math.log(10)


@dataclass
class Finding:
    """One checked claim: ``numbers`` holds every value the sentence quotes, as quoted."""

    claim: str
    verdict: str
    basis: str
    text: str
    numbers: dict = field(default_factory=dict)


def finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    return values[np.isfinite(values)]


def less(a, b) -> tuple[str, str]:
    """Is group ``a`` below group ``b``? (verdict, basis)"""
    a, b = finite(a), finite(b)
    if not a.size or not b.size:
        return "inconclusive", "no finished run"
    if len(a) == 1 and len(b) == 1:
        return ("supported" if a[0] < b[0] else "not_supported"), "single run"
    result = stats.ttest_ind(a, b, equal_var=False)
    basis = f"Welch t-test, p = {result.pvalue:.3g}"
    if not np.isfinite(result.pvalue) or result.pvalue >= ALPHA:
        return "inconclusive", basis
    return ("supported" if a.mean() < b.mean() else "not_supported"), basis


def above(values, threshold: float) -> tuple[str, str]:
    """Is the mean of ``values`` above ``threshold``? (verdict, basis)"""
    values = finite(values)
    if not values.size:
        return "inconclusive", "no finished run"
    if len(values) == 1:
        return ("supported" if values[0] > threshold else "not_supported"), "single run"
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    basis = f"95 % interval [{low:.3g}, {high:.3g}]"
    if low > threshold:
        return "supported", basis
    if high < threshold:
        return "not_supported", basis
    return "inconclusive", basis


def mean(values) -> float:
    values = finite(values)
    return float(values.mean()) if values.size else float("nan")


def r2(value: float) -> float:
    return round(float(value), 2)


def make(t, claim: str, verdict_basis: tuple[str, str], **numbers) -> Finding:
    verdict, basis = verdict_basis
    quoted = {k: r2(v) if isinstance(v, float) else v for k, v in numbers.items()}
    return Finding(claim, verdict, basis, t(f"finding_{claim}", **quoted), quoted)


def optimizers(record: dict, arrays: dict, t) -> list[Finding]:
    arms = record["arms"]
    final = np.array(record["final_loss"], dtype=np.float64)  # (repeats, arms)
    if "SGD" not in arms:
        return []
    sgd = arms.index("SGD")
    others = [i for i, a in enumerate(arms) if a in ("Momentum", "AdaGrad", "Adam")]
    findings = []
    for i in others:
        findings.append(make(t, "sgd_slower", less(final[:, i], final[:, sgd]),
                             other=arms[i], other_loss=mean(final[:, i]),
                             sgd_loss=mean(final[:, sgd])))  # fmt: skip
    return findings


def weight_init(record: dict, arrays: dict, t) -> list[Finding]:
    arms, loss = record["arms"], arrays["loss"]  # (repeats, iterations, arms)
    findings = []
    if "std=0.01" in arms:
        small = np.array(record["final_loss"], dtype=np.float64)[:, arms.index("std=0.01")]
        findings.append(make(t, "small_std_stalls", above(small, LN10 - 0.05), loss=mean(small)))
    step = min(100, loss.shape[1] - 1)
    if {"He", "Xavier"} <= set(arms):
        window = slice(max(0, step - 10), step + 11)  # the loss around that iteration
        he = np.nanmean(loss[:, window, arms.index("He")], axis=1)
        xavier = np.nanmean(loss[:, window, arms.index("Xavier")], axis=1)
        findings.append(make(t, "he_faster", less(he, xavier), step=step, he=mean(he),
                             xavier=mean(xavier)))  # fmt: skip
    return findings


def batch_norm(record: dict, arrays: dict, t) -> list[Finding]:
    wins = np.asarray(record["batch_norm_wins"], dtype=np.float64)
    total = len(record["scales"])
    return [make(t, "bn_wins", above(wins, total / 2), wins=int(round(mean(wins))), total=total)]


def overfit(record: dict, arrays: dict, t) -> list[Finding]:
    gap = record["gap"]
    return [make(t, "overfit_gap", above(gap, 0.1), train=mean(record["final_train_acc"]),
                 test=mean(record["final_test_acc"]), gap=mean(gap))]  # fmt: skip


def narrows(name: str):
    def finding(record: dict, arrays: dict, t, overfit_record: dict | None) -> list[Finding]:
        if overfit_record is None:
            return []
        return [make(t, f"{name}_narrows", less(record["gap"], overfit_record["gap"]),
                     before=mean(overfit_record["gap"]), after=mean(record["gap"]))]  # fmt: skip

    return finding


def hparam_search(record: dict, arrays: dict, t) -> list[Finding]:
    low, high = record["recommendation"]["lr"]
    overlap = "supported" if high >= 1e-3 and low <= 1e-2 else "not_supported"
    return [make(t, "lr_range", (overlap, "search result"), low=f"{low:.2g}", high=f"{high:.2g}")]


HOMEWORK_GD_ACCURACY = 0.965  # the homework's plain gradient descent, about 96.5 % per run


def tf_mlp(record: dict, arrays: dict, t) -> list[Finding]:
    """The homework's claims, checked with the control arm (skipped where an arm is absent)."""
    acc = {a: [r["test_acc"] if r["status"] == "ok" else np.nan for r in record["runs"]
               if r["arm"] == a] for a in record["arms"]}  # fmt: skip

    def mean4(arm: str) -> str:  # accuracies differ in the third decimal: quote four
        return f"{mean(acc[arm]):.4f}"

    findings = []
    if "gd" in acc:
        findings.append(make(t, "tf_gd_level", above(acc["gd"], HOMEWORK_GD_ACCURACY - 0.005),
                             gd=mean4("gd")))  # fmt: skip
    if "adam_seed" in acc:
        stats = record["stats"]["adam_seed"]
        collapsed = stats["runs"] - stats["good"]
        verdict = "supported" if collapsed else "not_supported"
        findings.append(make(t, "tf_seed_collapses", (verdict, "count of runs"),
                             collapsed=collapsed, runs=stats["runs"]))  # fmt: skip
        if "gd" in acc:
            findings.append(make(t, "tf_seed_worse", less(acc["adam_seed"], acc["gd"]),
                                 seed=mean4("adam_seed"), gd=mean4("gd")))  # fmt: skip
        if "adam_default" in acc:
            findings.append(make(t, "tf_settings_blamed",
                                 less(acc["adam_seed"], acc["adam_default"]),
                                 seed=mean4("adam_seed"),
                                 default=mean4("adam_default")))  # fmt: skip
    if {"gd", "adam_default"} <= acc.keys():
        findings.append(make(t, "tf_adam_worse", less(acc["adam_default"], acc["gd"]),
                             default=mean4("adam_default"), gd=mean4("gd")))  # fmt: skip
    return findings


DATASET_FINDINGS = {
    "optimizers": optimizers,
    "weight_init": weight_init,
    "batch_norm": batch_norm,
    "overfit": overfit,
    "weight_decay": narrows("weight_decay"),
    "dropout": narrows("dropout"),
    "hparam_search": hparam_search,
    "tf_mlp": tf_mlp,
}
NEEDS_OVERFIT = ("weight_decay", "dropout")
