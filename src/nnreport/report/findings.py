"""Findings: sentences derived from the result numbers, each with a verdict on a claim.

Each experiment's claims and the functions that check them live in its unit
(``experiments/<unit>/section.py``); this module holds the shared statistics.

A verdict is ``supported``, ``not_supported`` or ``inconclusive``. With one repeat a comparison
rests on a single run (and says so); with several, two groups are compared by Welch's t-test
(``scipy.stats.ttest_ind(equal_var=False)``) at the 5 % level, and a single group against a
threshold by its 95 % t interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

ALPHA = 0.05


@dataclass(frozen=True)
class Claim:
    """A claim an experiment checks; ``datasets`` limits where it applies (None: everywhere),
    for claims that quote one dataset's numbers."""

    key: str
    datasets: tuple[str, ...] | None = None

    def applies_to(self, dataset: str) -> bool:
        return self.datasets is None or dataset in self.datasets


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
