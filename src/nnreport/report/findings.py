"""Findings: verdicts on written hypotheses, decided by stated rules.

Each experiment's claims and the functions that check them live in its unit
(``experiments/<unit>/section.py``); this module holds the shared statistics. Every claim has
a written hypothesis (message ``hypothesis_<key>``), a source (the textbook or the TF
homework) and the datasets it applies to; every check returns a :class:`Test`: the verdict,
the rule that decided it (shown with the verdict), the basis (test statistic) and, for
comparisons, the effect with its 95 % interval.

Verdicts: ``supported``, ``not_supported``, ``inconclusive`` (including "did not learn": an
arm the comparison needs stayed near chance) and ``not_applicable`` (the claim does not apply
to this dataset or result; not counted). The tests, all at the 5 % level:

- arms trained side by side on the same minibatches (one stack per seed) are *paired* by
  seed: a t-test on the per-seed differences, the verdict from its 95 % interval;
- independent runs whose accuracies can be bimodal (the TF study, where some runs collapse to
  chance) are compared by the rank-based Mann–Whitney U test, with the Hodges–Lehmann shift and
  a bootstrap 95 % interval as the effect; collapse counts by Fisher's exact test;
- one group against a fixed level by the 95 % t interval of its mean.

One run gives a direction only, and says so ("single run").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from nnreport.experiments.common import LEARNED_MARGIN

ALPHA = 0.05
BOOTSTRAP = 2000


@dataclass(frozen=True)
class Claim:
    """A claim an experiment checks: its source (``textbook`` or ``homework``) and where it
    applies (``datasets``; None: everywhere)."""

    key: str
    source: str = "textbook"
    datasets: tuple[str, ...] | None = None

    def applies_to(self, dataset: str) -> bool:
        return self.datasets is None or dataset in self.datasets


@dataclass(frozen=True)
class Test:
    """What a decision rule gave: the verdict, the rule (a message key and its values), the
    basis (message key and values) and the effect with its 95 % interval, if any: a mean
    difference (``effect_difference``) or a Hodges–Lehmann shift (``effect_shift``)."""

    verdict: str
    rule: str
    basis: str
    values: dict = field(default_factory=dict)
    effect: tuple[float, float, float] | None = None
    effect_kind: str = "effect_difference"
    key: str | None = None  # the number a cell of the verdict matrix shows


@dataclass
class Finding:
    """One checked claim: ``numbers`` holds every value the sentence quotes, as quoted."""

    claim: str
    verdict: str
    basis: str
    text: str
    numbers: dict = field(default_factory=dict)
    hypothesis: str = ""
    rule: str = ""
    source: str = "textbook"
    caveat: str | None = None  # a message key the conclusion adds (e.g. test accuracy fell)
    key_number: str | None = None  # the verdict matrix's number for this finding


def finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    return values[np.isfinite(values)]


def mean(values) -> float:
    values = finite(values)
    return float(values.mean()) if values.size else float("nan")


def t_interval(values: np.ndarray) -> tuple[float, float]:
    """95 % t interval of the mean (a point when every value is equal)."""
    half = stats.t.ppf(1 - ALPHA / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def by_interval(low: float, high: float, direction: str) -> str:
    """``less``: supported when the interval lies below 0; ``greater``: above 0."""
    below, above_ = high < 0, low > 0
    if not (below or above_):
        return "inconclusive"
    return "supported" if below == (direction == "less") else "not_supported"


def paired(a, b, direction: str = "less") -> Test:
    """Is ``a`` below (``less``) or above (``greater``) ``b``? ``a[i]`` and ``b[i]`` come from
    the same seed (same initial draw and minibatches): a t-test on the differences a − b."""
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    both = np.isfinite(a) & np.isfinite(b)
    diff = a[both] - b[both]
    if not diff.size:
        return Test("inconclusive", f"rule_paired_{direction}", "basis_no_run")
    if diff.size == 1:
        verdict = "supported" if (diff[0] < 0) == (direction == "less") else "not_supported"
        return Test(verdict, "rule_single", "basis_single", effect=(float(diff[0]),) * 3)
    low, high = t_interval(diff)
    p = 0.0 if low == high and low != 0 else float(stats.ttest_1samp(diff, 0.0).pvalue)
    values = {"n": int(diff.size), "p": f"{p:.2g}"}
    effect = (float(diff.mean()), low, high)
    return Test(
        by_interval(low, high, direction),
        f"rule_paired_{direction}",
        "basis_paired",
        values,
        effect,
    )


def hodges_lehmann(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.median(np.subtract.outer(a, b)))


def rank_test(a, b, direction: str = "less", seed: int = 0) -> Test:
    """Is ``a`` below (``less``) or above ``b``, for independent runs that may be bimodal?
    Two-sided Mann–Whitney U at 5 %; effect: the Hodges–Lehmann shift a − b with a
    bootstrap 95 % interval (``BOOTSTRAP`` resamples of each group, seeded). The matrix
    shows the two means: with collapsed runs the median shift alone hides the gap."""
    a, b = finite(a), finite(b)
    if not a.size or not b.size:
        return Test("inconclusive", f"rule_rank_{direction}", "basis_no_run")
    shift = hodges_lehmann(a, b)
    rng = np.random.default_rng(seed)
    boot = [hodges_lehmann(rng.choice(a, a.size), rng.choice(b, b.size)) for _ in range(BOOTSTRAP)]
    low, high = (float(q) for q in np.quantile(boot, [ALPHA / 2, 1 - ALPHA / 2]))
    p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    if p >= ALPHA or shift == 0:
        verdict = "inconclusive"
    else:
        verdict = "supported" if (shift < 0) == (direction == "less") else "not_supported"
    return Test(
        verdict,
        f"rule_rank_{direction}",
        "basis_rank",
        {"n_a": int(a.size), "n_b": int(b.size), "p": f"{p:.2g}"},
        (shift, low, high),
        "effect_shift",
        key=f"{a.mean():.3g} vs {b.mean():.3g}",
    )


def fisher_more(events_a: int, n_a: int, events_b: int, n_b: int) -> Test:
    """Do events (collapsed runs) happen more often in group a than in group b? One-sided
    Fisher's exact test at 5 %."""
    if not n_a or not n_b:
        return Test("inconclusive", "rule_fisher", "basis_no_run")
    p = fisher_p(events_a, n_a, events_b, n_b)
    verdict = "supported" if p < ALPHA else "inconclusive"
    if p >= ALPHA and events_a / n_a <= events_b / n_b:
        verdict = "not_supported"
    needed = next((k for k in range(n_a + 1) if fisher_p(k, n_a, events_b, n_b) < ALPHA), None)
    basis = "basis_fisher_never" if needed is None else "basis_fisher_needed"
    return Test(
        verdict,
        "rule_fisher",
        basis,
        {"p": f"{p:.2g}", "k": needed, "n": n_a},
        key=f"{events_a}/{n_a}",
    )


def fisher_p(events_a: int, n_a: int, events_b: int, n_b: int) -> float:
    table = [[events_a, n_a - events_a], [events_b, n_b - events_b]]
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


def level(values, threshold: float, direction: str = "above") -> Test:
    """Is the mean of ``values`` above (or below) ``threshold``? Its 95 % t interval."""
    values = finite(values)
    rule_values = {"level": f"{threshold:.3g}"}
    if not values.size:
        return Test("inconclusive", f"rule_level_{direction}", "basis_no_run", rule_values)
    sign = 1 if direction == "above" else -1
    if values.size == 1:
        verdict = "supported" if sign * (values[0] - threshold) > 0 else "not_supported"
        return Test(verdict, "rule_single", "basis_single", rule_values)
    low, high = t_interval(values)
    verdict = by_interval(low - threshold, high - threshold, "greater" if sign > 0 else "less")
    return Test(
        verdict,
        f"rule_level_{direction}",
        "basis_interval",
        {**rule_values, "n": int(values.size), "low": f"{low:.3g}", "high": f"{high:.3g}"},
        key=f"{values.mean():.3g}",
    )


def learned(accuracy, n_classes: int) -> bool:
    """Did an arm learn: mean accuracy at least ``LEARNED_MARGIN`` above chance (1 / classes)?"""
    return mean(accuracy) >= 1 / n_classes + LEARNED_MARGIN


def did_not_learn(arms: list[str], n_classes: int) -> Test:
    level_text = f"{1 / n_classes + LEARNED_MARGIN:.2f}"
    return Test(
        "inconclusive",
        "rule_learned",
        "basis_did_not_learn",
        {"arms": ", ".join(arms), "level": level_text},
    )


def not_applicable(reason: str, **values) -> Test:
    return Test("not_applicable", "rule_not_applicable", reason, values)


def quoted(value):
    """Numbers as the sentence quotes them: three significant digits."""
    if isinstance(value, float | np.floating):
        return float(f"{value:.3g}") if np.isfinite(value) else value
    return value


def make(t, key: str, test: Test, /, text_key: str | None = None, **numbers) -> Finding:
    """The finding: sentence, effect, hypothesis and the rule that decided it (its source is
    filled in from the declared claim, see ``report.sections.applicable_findings``). The
    sentence is the message ``finding_<key>`` unless ``text_key`` names another."""
    shown = {k: quoted(v) for k, v in numbers.items()}
    text = t(text_key or f"finding_{key}", **shown)
    if test.effect is not None and test.basis != "basis_single":
        effect, low, high = (f"{v:.3g}" for v in test.effect)
        text += " " + t(test.effect_kind, effect=effect, low=low, high=high)
    key_number = test.key
    if key_number is None and test.effect is not None:
        key_number = f"{test.effect[0]:+.3g}"
    return Finding(
        key_number=key_number,
        claim=key,
        verdict=test.verdict,
        basis=t(test.basis, **test.values),
        text=text,
        numbers=shown,
        hypothesis=t(f"hypothesis_{key}"),
        rule=t(test.rule, **test.values),
    )
