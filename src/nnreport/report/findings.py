"""Findings: verdicts on written hypotheses, decided by stated rules.

Each experiment's claims and the functions that check them live in its unit
(``experiments/<unit>/section.py``); this module holds the shared statistics. Every claim has
a written hypothesis (message ``hypothesis_<key>``), a source (the textbook or the TF
homework) and the datasets it applies to; every check returns a :class:`Test`: the verdict,
the rule that decided it (shown with the verdict), the basis (test statistic and p-value)
and, for comparisons, the effect with its 95 % interval.

Verdicts: ``supported``, ``not_supported``, ``inconclusive`` (including "did not learn": an
arm the comparison needs stayed near chance) and ``not_applicable`` (the claim does not apply
to this dataset or result; not counted). The tests, at the 5 % level:

- arms trained side by side on the same minibatches (one stack per seed) are *paired* by
  seed: a t-test on the per-seed differences, with the mean difference and its 95 % interval;
- independent runs whose accuracies can be bimodal (the TF study, where some runs collapse to
  chance) are compared by the two-sided Mann–Whitney U test; its effect is the probability
  that a run of one arm ends above a run of the other (ties count half: the U statistic over
  all pairs), with a bootstrap 95 % interval; collapse counts by Fisher's exact test;
- one group against a fixed level by a t-test of its mean; "about a level" by an equivalence
  test (two one-sided t-tests, TOST, within a stated margin).

**Multiplicity.** A claim checked several times on one dataset (Momentum, AdaGrad and Adam
against SGD; batch norm at each weight scale; each setting of the TF ablation) is one family:
:func:`holm` adjusts its p-values (Holm's step-down method, which keeps the chance of any
false positive in the family at 5 %) and the verdicts follow the adjusted values.

One run gives a direction only, and says so ("single run").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats

from nnreport.experiments.common import LEARNED_MARGIN
from nnreport.report.numbers import p_value, sig, with_interval

ALPHA = 0.05


@dataclass(frozen=True)
class Claim:
    """A claim an experiment checks: its source (``textbook``, ``homework``: a write-up's, or
    ``report``: a check this report adds) and where it applies (``datasets``; None:
    everywhere)."""

    key: str
    source: str = "textbook"
    datasets: tuple[str, ...] | None = None

    def applies_to(self, dataset: str) -> bool:
        return self.datasets is None or dataset in self.datasets


@dataclass(frozen=True)
class Test:
    """What a decision rule gave: the verdict, the rule (a message key and its values), the
    basis (message key and values), the effect with its 95 % interval, if any (a mean
    difference, ``effect_difference``, or a probability of improvement, ``effect_above``),
    and the p-value with the kind of test, so that :func:`holm` can decide again."""

    verdict: str
    rule: str
    basis: str
    values: dict = field(default_factory=dict)
    effect: tuple[float, float, float] | None = None
    effect_kind: str = "effect_difference"
    # the number a cell of the verdict matrix shows, or (message, values) that word it
    key: str | tuple[str, dict] | None = None
    p: float | None = None
    kind: str | None = None  # "two_sided", "one_sided", "equivalence"; None: no test
    sign: int = 0  # +1: the effect points the hypothesis' way, -1: against it


def decide(kind: str | None, p: float | None, sign: int, verdict: str) -> str:
    """The verdict of a test of ``kind`` at p-value ``p``: significant in the hypothesis'
    direction, supported; in the other, not supported; otherwise inconclusive. A one-sided
    test whose effect points against the hypothesis is not supported; an equivalence test
    keeps "not supported" when its interval lay wholly outside the margin."""
    if kind is None or p is None:
        return verdict
    if p < ALPHA:
        return "supported" if sign > 0 or kind != "two_sided" else "not_supported"
    if kind == "one_sided" and sign < 0:
        return "not_supported"
    if kind == "equivalence" and verdict == "not_supported":
        return verdict
    return "inconclusive"


def holm(tests: list[Test]) -> list[Test]:
    """The tests of one family with Holm-adjusted p-values and the verdicts they give: the
    i-th smallest of m p-values is multiplied by m − i + 1, and kept at least as large as the
    one before it. A family of one test is left as it is."""
    tested = [i for i, test in enumerate(tests) if test.p is not None]
    m = len(tested)
    if m < 2:
        return list(tests)
    adjusted = list(tests)
    running = 0.0
    for rank, i in enumerate(sorted(tested, key=lambda i: tests[i].p)):
        test = tests[i]
        running = max(running, min(1.0, (m - rank) * test.p))
        values = {**test.values, "p_adj": p_value(running), "m": m}
        verdict = decide(test.kind, running, test.sign, test.verdict)
        adjusted[i] = replace(test, verdict=verdict, values=values)
    return adjusted


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
    tests: int = 0  # hypothesis tests behind it (the limits count them all)
    interval: tuple[str, str] | None = None  # the effect's 95 % interval, as written
    p_adjusted: str | None = None  # the Holm-adjusted p-value, where the claim is a family
    p: str | None = None  # the p-value as written (with the family's adjusted one, if any)
    subject: str | None = None  # what this finding of a claim is about (Momentum, ε, …)


def finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    return values[np.isfinite(values)]


def mean(values) -> float:
    values = finite(values)
    return float(values.mean()) if values.size else float("nan")


def t_interval(values: np.ndarray, level: float = 1 - ALPHA) -> tuple[float, float]:
    """The t interval of the mean at ``level`` (a point when every value is equal)."""
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1)
    half /= np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def t_test(values: np.ndarray, against: float = 0.0) -> float:
    """Two-sided p of a one-sample t-test (0 when every value is equal and differs)."""
    if np.all(values == values[0]):
        return 0.0 if values[0] != against else 1.0
    return float(stats.ttest_1samp(values, against).pvalue)


def paired(a, b, direction: str = "less") -> Test:
    """Is ``a`` below (``less``) or above (``greater``) ``b``? ``a[i]`` and ``b[i]`` come from
    the same seed (same initial draw and minibatches): a t-test on the differences a − b."""
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    both = np.isfinite(a) & np.isfinite(b)
    diff = a[both] - b[both]
    if not diff.size:
        return Test("inconclusive", f"rule_paired_{direction}", "basis_no_run")
    sign = int(np.sign(diff.mean())) * (1 if direction == "greater" else -1)
    if diff.size == 1:
        verdict = "supported" if sign > 0 else "not_supported"
        return Test(verdict, "rule_single", "basis_single", effect=(float(diff[0]),) * 3)
    low, high = t_interval(diff)
    p = t_test(diff)
    values = {"n": int(diff.size), "p": p_value(p)}
    verdict = decide("two_sided", p, sign, "inconclusive")
    return Test(
        verdict,
        f"rule_paired_{direction}",
        "basis_paired",
        values,
        (float(diff.mean()), low, high),
        p=p,
        kind="two_sided",
        sign=sign,
    )


def above_probability(a: np.ndarray, b: np.ndarray) -> float:
    """The probability that a run of ``a`` ends above a run of ``b`` (ties count half): the
    Mann–Whitney U statistic over all pairs."""
    diff = np.subtract.outer(a, b)
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def above_interval(above: float, m: int, n: int) -> tuple[float, float]:
    """95 % interval of the probability that a run of one arm ends above a run of the other,
    by Newcombe's score method (2006, method 5): the θ where (θ̂ − θ)² = z² V(θ), with
    V(θ) = θ(1 − θ) / (mn) · [(2N − 1) − (3N − 3) / ((2 − θ)(1 + θ))], N = (m + n) / 2. Unlike a
    bootstrap it does not shrink to a point when every run of one arm ends below the other's."""
    z, half_n = stats.norm.ppf(1 - ALPHA / 2), (m + n) / 2

    def excess(theta: float) -> float:
        spread = (2 * half_n - 1) - (3 * half_n - 3) / ((2 - theta) * (1 + theta))
        return (above - theta) ** 2 - z**2 * theta * (1 - theta) / (m * n) * spread

    def root(low: float, high: float) -> float:  # excess changes sign between low and high
        for _ in range(60):
            middle = (low + high) / 2
            if (excess(middle) > 0) == (excess(low) > 0):
                low = middle
            else:
                high = middle
        return (low + high) / 2

    return (root(0.0, above) if above > 0 else 0.0, root(above, 1.0) if above < 1 else 1.0)


def rank_test(a, b, direction: str = "less") -> Test:
    """Is ``a`` below (``less``) or above ``b``, for independent runs that may be bimodal?
    Two-sided Mann–Whitney U at 5 %; effect: the probability that a run of ``a`` ends above a
    run of ``b`` (0.5: no difference), with its 95 % interval (:func:`above_interval`). The
    matrix shows it beside the two means."""
    a, b = finite(a), finite(b)
    if not a.size or not b.size:
        return Test("inconclusive", f"rule_rank_{direction}", "basis_no_run")
    above = above_probability(a, b)
    low, high = above_interval(above, a.size, b.size)
    p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    sign = int(np.sign(above - 0.5)) * (1 if direction == "greater" else -1)
    values = {"n_a": int(a.size), "n_b": int(b.size), "p": p_value(p)}
    return Test(
        decide("two_sided", p, sign, "inconclusive"),
        f"rule_rank_{direction}",
        "basis_rank",
        values,
        (above, low, high),
        "effect_above",
        key=("key_rank", {"a": sig(a.mean()), "b": sig(b.mean()), "above": sig(above, 2)}),
        p=p,
        kind="two_sided",
        sign=sign,
    )


def fisher_more(events_a: int, n_a: int, events_b: int, n_b: int) -> Test:
    """Do events (collapsed runs) happen more often in group a than in group b? One-sided
    Fisher's exact test at 5 %; not supported when a's share is not even higher."""
    if not n_a or not n_b:
        return Test("inconclusive", "rule_fisher", "basis_no_run")
    p = fisher_p(events_a, n_a, events_b, n_b)
    sign = 1 if events_a / n_a > events_b / n_b else -1
    needed = next((k for k in range(n_a + 1) if fisher_p(k, n_a, events_b, n_b) < ALPHA), None)
    basis = "basis_fisher_never" if needed is None else "basis_fisher_needed"
    values = {"p": p_value(p), "k": needed, "n": n_a}
    return Test(
        decide("one_sided", p, sign, "inconclusive"),
        "rule_fisher",
        basis,
        values,
        key=("key_counts", {"a": events_a, "n_a": n_a, "b": events_b, "n_b": n_b}),
        p=p,
        kind="one_sided",
        sign=sign,
    )


def fisher_p(events_a: int, n_a: int, events_b: int, n_b: int) -> float:
    table = [[events_a, n_a - events_a], [events_b, n_b - events_b]]
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


def level(values, threshold: float, direction: str = "above") -> Test:
    """Is the mean of ``values`` above (or below) ``threshold``? A t-test of the mean against
    it, with its 95 % interval."""
    values = finite(values)
    rule_values = {"level": sig(threshold)}
    if not values.size:
        return Test("inconclusive", f"rule_level_{direction}", "basis_no_run", rule_values)
    sign = int(np.sign(values.mean() - threshold)) * (1 if direction == "above" else -1)
    if values.size == 1:
        verdict = "supported" if sign > 0 else "not_supported"
        return Test(verdict, "rule_single", "basis_single", rule_values)
    low, high = t_interval(values)
    p = t_test(values, threshold)
    mean_text, low_text, high_text = with_interval(values.mean(), low, high)
    values_text = {
        **rule_values,
        "n": int(values.size),
        "low": low_text,
        "high": high_text,
        "p": p_value(p),
    }
    return Test(
        decide("two_sided", p, sign, "inconclusive"),
        f"rule_level_{direction}",
        "basis_interval",
        values_text,
        key=mean_text,  # at the digits its interval needs
        p=p,
        kind="two_sided",
        sign=sign,
    )


def equivalent(values, target: float, margin: float) -> Test:
    """Is the mean of ``values`` within ``target`` ± ``margin`` (an "about" claim)? Two
    one-sided t-tests (TOST) at 5 %: supported when the 90 % t interval lies inside the band,
    not supported when it lies wholly outside, otherwise inconclusive."""
    values = finite(values)
    band = {"low": sig(target - margin), "high": sig(target + margin)}
    if values.size < 2:
        return Test("inconclusive", "rule_equivalent", "basis_no_run", band)
    low, high = t_interval(values, 1 - 2 * ALPHA)
    half = (high - low) / 2 / stats.t.ppf(1 - ALPHA, values.size - 1)  # the standard error
    mean_ = float(values.mean())
    if half == 0:
        p = 0.0 if abs(mean_ - target) < margin else 1.0
    else:
        lower = stats.t.sf((mean_ - (target - margin)) / half, values.size - 1)
        upper = stats.t.cdf((mean_ - (target + margin)) / half, values.size - 1)
        p = float(max(lower, upper))
    outside = low > target + margin or high < target - margin
    verdict = decide("equivalence", p, 1, "not_supported" if outside else "inconclusive")
    mean_text, low_text, high_text = with_interval(mean_, low, high)
    shown = {
        **band,
        "n": int(values.size),
        "p": p_value(p),
        "ci_low": low_text,
        "ci_high": high_text,
    }
    return Test(
        verdict,
        "rule_equivalent",
        "basis_equivalent",
        shown,
        key=mean_text,
        p=p,
        kind="equivalence",
        sign=1,
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
        return float(sig(value)) if np.isfinite(value) and value != 0 else float(value)
    return value


def written(value):
    """A quoted number as the sentence writes it (see :mod:`nnreport.report.numbers`)."""
    if isinstance(value, float | np.floating) and not isinstance(value, bool):
        return sig(value)
    return value


def make(
    t, key: str, test: Test, /, text_key: str | None = None, subject: str | None = None, **numbers
) -> Finding:
    """The finding: sentence, effect, hypothesis and the rule that decided it (its source is
    filled in from the declared claim, see ``report.sections.applicable_findings``). The
    sentence is the message ``finding_<key>`` unless ``text_key`` names another; a p-value
    adjusted for its family is given beside the test's own."""
    shown = {k: quoted(v) for k, v in numbers.items()}
    text = t(text_key or f"finding_{key}", **{k: written(v) for k, v in shown.items()})
    if test.effect is not None and test.basis != "basis_single":
        effect, low, high = with_interval(*test.effect)
        text += " " + t(test.effect_kind, effect=effect, low=low, high=high)
    key_number = test.key
    if isinstance(key_number, tuple):  # a message and its values: worded per language
        key_number = t(key_number[0], **key_number[1])
    if key_number is None and test.effect is not None:
        key_number = ("+" if test.effect[0] > 0 else "") + with_interval(*test.effect)[0]
    basis = t(test.basis, **test.values)
    p = test.values.get("p")
    if "p_adj" in test.values:
        basis += " " + t("basis_holm", p_adj=test.values["p_adj"], m=test.values["m"])
        p = t("p_adjusted", p=p, p_adj=test.values["p_adj"])
    interval = None
    if test.effect is not None and test.basis != "basis_single":
        interval = with_interval(*test.effect)[1:]
    elif "ci_low" in test.values:  # an equivalence test's 90 % interval (low, high: margin)
        interval = (test.values["ci_low"], test.values["ci_high"])
    elif {"low", "high", "n"} <= test.values.keys():  # a mean against a level
        interval = (test.values["low"], test.values["high"])
    return Finding(
        key_number=key_number,
        claim=key,
        verdict=test.verdict,
        basis=basis,
        text=text,
        numbers=shown,
        hypothesis=t(f"hypothesis_{key}"),
        rule=t(test.rule, **test.values),
        tests=test.values.get("tests", 1 if test.p is not None else 0),
        interval=interval,
        p=p if isinstance(p, str) else None,
        p_adjusted=test.values.get("p_adj"),
        subject=subject,
    )
