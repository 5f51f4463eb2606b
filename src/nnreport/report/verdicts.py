"""An experiment's verdicts as one table: a row per claim (per subject where a claim is checked
several times on a dataset: Momentum, AdaGrad, Adam), a column per dataset, each cell the
verdict, the key number with its interval and the p-value. A claim not judged on a dataset,
or judged with a caveat, points to a note below the table, each note said once."""

from __future__ import annotations

from nnreport.report.findings import Finding


def cell_number(finding: Finding) -> str:
    """The key number with its interval: "−0.147 [−0.154, −0.139]"."""
    number = finding.key_number or ""
    if finding.interval is not None:
        number = f"{number} [{finding.interval[0]}, {finding.interval[1]}]".strip()
    return number


def p_cell(finding: Finding, t) -> str | None:
    """The p-value a cell prints: Holm's adjusted one for a family (it decides the verdict);
    for a single test only where no interval shows the effect's uncertainty."""
    if finding.p_adjusted:
        return t("p_holm", p=finding.p_adjusted)
    if finding.interval is None and finding.p and finding.verdict != "not_applicable":
        return t("p_plain", p=finding.p)
    return None


def verdict_table(
    parts: list[tuple[str, list[Finding]]], t, notes: list[str] | None = None
) -> dict:
    """``parts``: (dataset title, its findings) per dataset, in column order; ``notes``: the
    notes already numbered (several tables share one list)."""
    rows: dict[tuple[str, str | None], dict] = {}
    notes = [] if notes is None else notes

    def note(text: str) -> int:
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    for column, (_, findings) in enumerate(parts):
        for finding in findings:
            label = t(f"claim_{finding.claim}")
            if finding.subject:
                label = t("claim_subject", claim=label, subject=finding.subject)
            row = rows.setdefault(
                (finding.claim, finding.subject),
                {
                    "key": (finding.claim, finding.subject),
                    "label": label,
                    "cells": [None] * len(parts),
                },
            )
            mark = None
            if finding.verdict == "not_applicable":
                mark = note(finding.text)
            elif finding.caveat:
                mark = note(t(f"note_{finding.caveat}"))
            row["cells"][column] = {
                "verdict": finding.verdict,
                "text": t(f"verdict_{finding.verdict}"),
                "number": "" if finding.verdict == "not_applicable" else cell_number(finding),
                "p": p_cell(finding, t),
                "mark": mark,
                "title": f"{finding.text} ({finding.basis})",
            }
    return {
        "columns": [title for title, _ in parts],
        "rows": list(rows.values()),
        "notes": notes,
    }
