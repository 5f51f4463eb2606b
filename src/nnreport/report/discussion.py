"""The discussion that ends each experiment, written from its verdicts and numbers.

Sentences, in order: what happened to each claim (its verdict per dataset), why (the
mechanism, ``why_<claim>`` in the catalog, stated only where the claim held somewhere), our
numbers beside the homework's (the unit's ``homework``), and what the unit's own
``discuss(parts, t)`` adds (the dataset-free sections have only that). Every number comes
from the results, so each sentence is true for the build it is printed in.
"""

from __future__ import annotations

from nnreport.report.findings import Finding


def verdict_phrase(found: list[Finding], t) -> str:
    """ "supported" for one finding or several that agree; "2 of 3 supported" otherwise."""
    verdicts = {f.verdict for f in found}
    if len(verdicts) == 1:
        return t(f"verdict_{verdicts.pop()}")
    held = sum(f.verdict == "supported" for f in found)
    return t("discussion_some_supported", held=held, total=len(found))


def claim_sentences(parts: list[tuple[str, list[Finding]]], t) -> list[str]:
    """One sentence per claim: its verdict on each dataset, datasets that agree together."""
    claims: dict[str, dict[str, list[str]]] = {}
    for title, findings in parts:
        by_claim: dict[str, list[Finding]] = {}
        for finding in findings:
            by_claim.setdefault(finding.claim, []).append(finding)
        for claim, found in by_claim.items():
            claims.setdefault(claim, {}).setdefault(verdict_phrase(found, t), []).append(title)
    sentences = []
    for claim, phrases in claims.items():
        verdicts = "; ".join(
            f"{phrase} ({', '.join(titles)})" for phrase, titles in phrases.items()
        )
        sentences.append(t("discussion_claim", claim=t(f"claim_{claim}"), verdicts=verdicts))
        if t("verdict_supported") in phrases and t.has(f"why_{claim}"):
            sentences.append(t(f"why_{claim}"))
    return sentences


def homework_sentence(experiment, parts: list[tuple[str, dict, str]], t) -> list[str]:
    published = experiment.hook("section", "homework")
    rows = [
        f"{title}, {quantity}: {ours} ({t('discussion_theirs', value=theirs)})"
        for title, record, name in parts
        for quantity, ours, theirs in published(record, name, t)
        if theirs != "—"
    ]
    return [t("discussion_homework", rows="; ".join(rows))] if rows else []


def discussion(experiment, parts: list[dict], t) -> list[str]:
    """``parts``: per dataset {"title", "name", "record", "arrays", "findings"} (one,
    untitled, for a dataset-free experiment)."""
    sentences = claim_sentences([(p["title"], p["findings"]) for p in parts], t)
    homework = [(p["title"], p["record"], p["name"]) for p in parts]
    sentences += homework_sentence(experiment, homework, t)
    return sentences + experiment.hook("section", "discuss")(parts, t)
