"""The discussion that ends each experiment, written from its verdicts and numbers.

Sentences, in order: why (the mechanism, ``why_<claim>`` in the catalog, stated only where
the claim held somewhere; the verdicts are in the section's table), then what the unit's own
``discuss(parts, t)`` adds (the dataset-free sections have only that). The write-ups'
numbers are in one table at the front. Every number comes
from the results, so each sentence is true for the build it is printed in.
"""

from __future__ import annotations

from nnreport.report.findings import Finding


def why_sentences(parts: list[tuple[str, list[Finding]]], t) -> list[str]:
    """The mechanism of each claim that held on some dataset (``why_<claim>``), once; the
    verdicts themselves are in the section's table."""
    held: list[str] = []
    for _, findings in parts:
        for finding in findings:
            if finding.verdict == "supported" and finding.claim not in held:
                held.append(finding.claim)
    return [t(f"why_{claim}") for claim in held if t.has(f"why_{claim}")]


def discussion(experiment, parts: list[dict], t) -> list[str]:
    """``parts``: per dataset {"title", "name", "record", "arrays", "findings"} (one,
    untitled, for a dataset-free experiment)."""
    sentences = why_sentences([(p["title"], p["findings"]) for p in parts], t)
    return sentences + experiment.hook("section", "discuss")(parts, t)
