"""How an experiment's sections are laid out across the datasets: each figure once with the
datasets side by side, the tables that line up merged, one verdict table, the discussion."""

from __future__ import annotations

from nnreport import experiments
from nnreport.report.discussion import discussion
from nnreport.report.settings import merged_table


def experiment_part(key: str, datasets: list[dict], t) -> dict:
    """One experiment across the datasets: its code, settings and output once, each figure
    once with the datasets side by side, the tables that line up merged, then per dataset
    the rest of its tables, then the discussion (the verdicts are in the matrix)."""
    parts = [(ds, next(s for s in ds["sections"] if s["key"] == key)) for ds in datasets]
    first_ds, first = parts[0]
    experiment = experiments.get(key)
    titled = [(ds["meta"]["title"], sec) for ds, sec in parts]
    merged, own = split_tables([(title, drop_ok_status(sec["tables"], t)) for title, sec in titled])
    return {
        "key": key,
        "title": first["title"],
        "intro": first["intro"],
        "code": first["code"],
        "settings": merged_table(
            [(title, sec["settings_used"]) for title, sec in titled], experiment, t
        ),
        "log": first["log"],
        "log_title": t(
            "code_output_of"
            if first["settings_used"].get("repeats", 1) > 1
            else "code_output_single_of",
            title=first_ds["meta"]["title"],
        ),
        "figure_groups": figure_groups(titled, t),
        "tables": merged,
        "parts": [
            {"ds": ds, "sec": sec, "tables": tables}
            for (ds, sec), tables in zip(parts, own, strict=True)
        ],
        "claims": claims([sec for _, sec in parts]),
        "discussion": discussion(
            experiment, [discussed(ds["meta"]["title"], ds["name"], sec) for ds, sec in parts], t
        ),
    }


def settings_once(parts: list[dict]) -> list[dict]:
    """An experiment that shares its unit with an earlier one (weight decay and dropout with
    overfitting) lists only the settings in which it differs from that one."""
    first: dict = {}
    for part in parts:
        folder = experiments.get(part["key"]).folder
        if folder not in first:
            first[folder] = part
            continue
        shown = first[folder]["settings"]
        seen = [(r["label"], r["values"], r["reference"]) for r in shown["rows"]]
        rows = [
            r
            for r in part["settings"]["rows"]
            if (r["label"], r["values"], r["reference"]) not in seen
        ]
        part["settings"] = {
            **part["settings"],
            "rows": rows,
            "has_reference": any(r["reference"] for r in rows),
            "base": first[folder]["title"],
        }
    return parts


def discussed(title: str, name: str, section: dict) -> dict:
    """What the discussion of one dataset's section reads."""
    return {"title": title, "name": name, **{k: section[k] for k in DISCUSSED}}


DISCUSSED = ("record", "arrays", "findings")


def without_title(caption: str, title: str) -> str:
    """A caption less its dataset: units end their captions with " (<dataset title>)" (in
    Korean with no space before the parenthesis)."""
    return caption.replace(f" ({title})", "").replace(f"({title})", "")


def figure_groups(parts: list[tuple[str, dict]], t) -> list[dict]:
    """Each figure of an experiment once: the datasets' drawings side by side (one above the
    other when wide) under one caption, the dataset named in each drawing's title. Drawings
    whose captions differ by more than the dataset (other seed counts) keep their own."""
    by_name: dict[str, list[tuple[str, dict]]] = {}
    for title, section in parts:
        for fig in section["figures"]:
            by_name.setdefault(fig["name"], []).append((title, fig))
    groups = []
    for drawings in by_name.values():
        captions = {without_title(fig["caption"], title) for title, fig in drawings}
        wide = any(fig["wide"] for _, fig in drawings)
        if len(drawings) > 1 and len(captions) == 1:
            order = t(
                "top_to_bottom" if wide else "left_to_right",
                titles=", ".join(title for title, _ in drawings),
            )
            groups.append(
                {
                    "wide": wide,
                    "images": [fig for _, fig in drawings],
                    "caption": f"{captions.pop()} {order}",
                }
            )
        else:
            groups += [
                {"wide": fig["wide"], "images": [fig], "caption": fig["caption"]}
                for _, fig in drawings
            ]
    return groups


def drop_ok_status(tables: list[dict], t) -> list[dict]:
    """The tables without a status column that reads "ok" in every row (no run diverged;
    the caption says so)."""
    kept = []
    for tab in tables:
        column = tab["header"].index(t("status")) if t("status") in tab["header"] else None
        if column is None or any(row[column] != t("ok") for row in tab["rows"]):
            kept.append(tab)
            continue
        kept.append(
            {
                **tab,
                "caption": f"{tab['caption']} {t('no_run_diverged')}",
                "header": [h for i, h in enumerate(tab["header"]) if i != column],
                "rows": [[c for i, c in enumerate(row) if i != column] for row in tab["rows"]],
            }
        )
    return kept


MAX_COLUMNS = 10  # a merged table wider than this stays one table per dataset


def split_tables(parts: list[tuple[str, list[dict]]]) -> tuple[list[dict], list[list[dict]]]:
    """Each kind of table once where the datasets allow it. Tables with the same header and
    caption (but for the dataset) are one kind: with the same row labels on every dataset and
    narrow enough, the datasets stand side by side (a column group each); otherwise they are
    stacked in one table under a row naming each dataset. A table only one dataset has stays
    with it. Returns (merged, each dataset's own)."""
    titles = [title for title, _ in parts]
    kinds: dict[tuple, list[tuple[int, dict]]] = {}
    for index, (title, tables) in enumerate(parts):
        for tab in tables:
            key = (tuple(tab["header"]), without_title(tab["caption"], title))
            kinds.setdefault(key, []).append((index, tab))
    own: list[list[dict]] = [[] for _ in parts]
    merged = []
    for found in kinds.values():
        indexes = [index for index, _ in found]
        tables = [tab for _, tab in found]
        if len(found) == 1 or len(set(indexes)) < len(indexes):
            for index, tab in found:
                note = tab.get("note")
                own[index].append({**tab, "caption": f"{tab['caption']} {note}"} if note else tab)
        elif len(found) == len(parts) and all(
            (tab["rows"], tab.get("note")) == (tables[0]["rows"], tables[0].get("note"))
            for tab in tables
        ):  # the same on every dataset: once
            once = stack([titles[0]], tables[:1])
            merged.append({**once, "stacked": [(None, None, tables[0]["rows"])]})
        elif len(found) == len(parts) and side_by_side(tables):
            merged.append(merge(titles, tables))
        else:
            merged.append(stack([titles[i] for i in indexes], tables))
    return merged, own


def side_by_side(tables: list[dict]) -> bool:
    """Whether the tables line up row by row and fit the page side by side."""
    head = tables[0]
    return (
        all([r[0] for r in tab["rows"]] == [r[0] for r in head["rows"]] for tab in tables)
        and 1 + len(tables) * (len(head["header"]) - 1) <= MAX_COLUMNS
    )


def stack(titles: list[str], tables: list[dict]) -> dict:
    """One table: the shared header, then each dataset's rows under its title."""
    return {
        "caption": without_title(tables[0]["caption"], titles[0]),
        "header": tables[0]["header"],
        "stacked": [
            (title, tab.get("note"), tab["rows"]) for title, tab in zip(titles, tables, strict=True)
        ],
    }


def merge(titles: list[str], tables: list[dict]) -> dict:
    head = tables[0]
    notes = "; ".join(
        f"{title}: {tab['note']}"
        for title, tab in zip(titles, tables, strict=True)
        if tab.get("note")
    )
    return {
        "caption": " ".join(filter(None, [without_title(head["caption"], titles[0]), notes])),
        "groups": [(title, len(head["header"]) - 1) for title in titles],
        "header": [head["header"][0], *(head["header"][1:] * len(tables))],
        "rows": [
            [row[0], *(cell for tab in tables for cell in tab["rows"][r][1:])]
            for r, row in enumerate(head["rows"])
        ],
    }


def claims(sections: list[dict]) -> dict:
    """Each claim checked in these sections once, numbered, with its hypothesis; then each
    decision rule its findings used, once, with the numbers of the claims it decides."""
    hypotheses: dict[str, str] = {}
    rules: dict[str, list[int]] = {}
    for section in sections:
        for finding in section["findings"]:
            if finding.claim not in hypotheses:
                hypotheses[finding.claim] = finding.hypothesis
            number = list(hypotheses).index(finding.claim) + 1
            if finding.verdict != "not_applicable" and number not in rules.get(finding.rule, []):
                rules.setdefault(finding.rule, []).append(number)
    return {"hypotheses": list(hypotheses.values()), "rules": list(rules.items())}


def general_part(section: dict, t) -> dict:
    experiment = experiments.get(section["key"])
    return {
        **section,
        "tables": drop_ok_status(section["tables"], t),
        "settings": merged_table([(t("value"), section["settings_used"])], experiment, t),
        "log_title": t("code_output"),
        "discussion": discussion(experiment, [discussed("", "general", section)], t),
    }
