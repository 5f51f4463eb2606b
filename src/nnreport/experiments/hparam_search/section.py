"""The search section: stages, the best trials, the recommended ranges."""

from __future__ import annotations

from nnreport.experiments.common import epoch_schedule
from nnreport.report.findings import Claim, Finding, Test, make
from nnreport.report.sections import base, fmt, table

CLAIMS = (Claim("lr_range"),)
TEXTBOOK_LR = (1e-3, 1e-2)
HIDDEN_SETTINGS = ("best_shown",)  # how many trials the log lists
RANGE_SETTINGS = ("lr_range", "lr_limit", "weight_decay_range", "weight_decay_limit")


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx, head=12, tail=12)
    stage_rows = [
        [
            str(s["stage"] + 1),
            *box_cells(s["box"]),
            *box_cells(s["best_range"]),
            f"{len(s['trials']) - s['diverged']} / {len(s['trials'])}",
            str(s["diverged"]),
        ]
        for s in record["stages"]
    ]
    section["tables"].append(
        table(
            t("hparam_stage_table", title=ctx.title),
            [
                t("stage"),
                t("searched_lr"),
                t("searched_wd"),
                t("best_lr"),
                t("best_wd"),
                t("trials_ok"),
                t("diverged"),
            ],
            stage_rows,
        )
    )
    last = record["stages"][-1]
    trials = {tr["index"]: tr for tr in last["trials"]}
    ok = [trials[i] for i in last["ranking"] if trials[i]["status"] == "ok"]
    best_rows = [
        [
            f"Best-{n}",
            fmt(tr["val_acc"], 3),
            fmt(tr["train_acc"], 3),
            f"{tr['lr']:.3g}",
            f"{tr['weight_decay']:.3g}",
        ]
        for n, tr in enumerate(ok[: len(last["top"])], start=1)
    ]
    section["tables"].append(
        table(
            t("hparam_best_table", count=len(best_rows), stage=last["stage"] + 1),
            [
                t("rank"),
                t("val_accuracy"),
                t("train_accuracy"),
                t("learning_rate"),
                t("weight_decay"),
            ],
            best_rows,
        )
    )
    rec = record["recommendation"]
    ends = last.get("uncertainty", {})
    section["highlight"] = (
        t(
            "hparam_recommendation",
            lr_low=f"{rec['lr'][0]:.3g}",
            lr_high=f"{rec['lr'][1]:.3g}",
            wd_low=f"{rec['weight_decay'][0]:.3g}",
            wd_high=f"{rec['weight_decay'][1]:.3g}",
            k=record["settings_used"]["top_k"],
            stage=last["stage"] + 1,
            top=len(last["top"]),
        )
        + " "
        + t(
            "hparam_uncertainty",
            lr=ends_text(ends.get("lr")),
            wd=ends_text(ends.get("weight_decay")),
        )
    )
    return section


def ends_text(ends) -> str:
    """Bootstrap 95 % intervals of a range's two ends."""
    if not ends:
        return "—"
    return " … ".join(f"[{low:.2g}, {high:.2g}]" for low, high in ends)


def open_edges(record: dict) -> list[str]:
    """Edges of the last box the best learning rates touch, unless the box is at the hard
    limit there (then the search could not go further)."""
    last = record["stages"][-1]
    limit = record["settings_used"]["lr_limit"]
    box = last["box"]["lr"]
    return [
        side
        for side in last["edges"]["lr"]
        if (side == "low" and box[0] > limit[0]) or (side == "high" and box[1] < limit[1])
    ]


def box_cells(box: dict) -> list[str]:
    """A box's learning-rate and weight-decay ranges, one cell each."""
    return [f"{low:.3g} … {high:.3g}" for low, high in (box["lr"], box["weight_decay"])]


def findings(ctx) -> list[Finding]:
    """The recommended learning rates against the textbook's 0.001 … 0.01; inconclusive when
    the best trials of the last stage touch an edge of its box that the search could still
    have moved (the optimum may lie outside), unless moving past it could only take the range
    further from the textbook's."""
    record, t = ctx.record, ctx.t
    low, high = record["recommendation"]["lr"]
    overlap = high >= TEXTBOOK_LR[0] and low <= TEXTBOOK_LR[1]
    edges = open_edges(record)
    key = f"{low:.2g}–{high:.2g}"
    # Beyond an open edge the range can only move that way: away from the textbook's when
    # it already lies entirely on that side, so the verdict stands.
    away = (low > TEXTBOOK_LR[1] and set(edges) <= {"high"}) or (
        high < TEXTBOOK_LR[0] and set(edges) <= {"low"}
    )
    if edges and away:
        test = Test(
            "not_supported",
            "rule_lr_range",
            "basis_box_edge_away",
            {"edges": ", ".join(t(f"edge_{e}") for e in edges)},
            key=key,
        )
    elif edges:
        test = Test(
            "inconclusive",
            "rule_lr_range",
            "basis_box_edge",
            {"edges": ", ".join(t(f"edge_{e}") for e in edges)},
            key=key,
        )
    else:
        test = Test(
            "supported" if overlap else "not_supported",
            "rule_lr_range",
            "basis_search",
            {"top": len(record["stages"][-1]["top"])},
            key=key,
        )
    return [make(t, "lr_range", test, low=f"{low:.2g}", high=f"{high:.2g}")]


def discuss(parts: list[dict], t) -> list[str]:
    """Why the recommended learning rates lie above the textbook's, where they do: its box
    (and the homework's, drawn from it) ends at the first stage's upper edge; ours moved past
    it. With the training budget of every trial, which favours large rates."""
    above = [p["title"] for p in parts if p["record"]["recommendation"]["lr"][0] > TEXTBOOK_LR[1]]
    if not above:
        return []
    settings, split = parts[0]["record"]["settings_used"], parts[0]["record"]["split"]
    _, batches, updates = epoch_schedule(split["train"], settings)  # as the trials trained
    return [
        t(
            "why_lr_above",
            datasets=", ".join(above),
            edge=f"{settings['lr_range'][1]:g}",
            limit=f"{settings['lr_limit'][1]:g}",
            epochs=updates // batches,
            batches=batches,
            updates=updates,
            train=split["train"],
        )
    ]


def limits(settings: dict, records: list, t) -> list[str]:
    """Ties from the small validation set, and the training subset."""
    sizes = {title: record["split"]["validation"] for title, record in records}
    lines = []
    if sizes:
        same = len(set(sizes.values())) == 1
        validation = (
            str(next(iter(sizes.values())))
            if same
            else ", ".join(f"{n} ({title})" for title, n in sizes.items())
        )
        lines.append(
            t("limit_search", validation=validation, step=f"{1 / max(sizes.values()):.2g}")
        )
    return lines + [t("limit_subset_hparam_search", n=f"{settings['train_samples']:,}")]


def summary(record: dict, t) -> list[tuple[str, str]]:
    rec = record["recommendation"]
    return [
        (t("summary_lr_range"), "{:.2g} … {:.2g}".format(*rec["lr"])),
        (t("summary_wd_range"), "{:.2g} … {:.2g}".format(*rec["weight_decay"])),
    ]


# The homework's published search results (Best-1 validation accuracy, ranges read by hand).
PUBLISHED = {
    "fashion_mnist": {"best": 0.73, "lr": (0.0038, 0.0088), "weight_decay": (5.3e-8, 2.67e-5)},
    "digits": {"best": 0.92, "lr": (0.0040, 0.0097), "weight_decay": (3.88e-7, 9.46e-5)},
}


def homework(record: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """Best-1 and the recommended ranges (with their bootstrap intervals) beside the
    homework's, on every dataset ("—" where the homework has none)."""
    last = record["stages"][-1]
    best = max((tr["val_acc"] for tr in last["trials"] if tr["status"] == "ok"), default=None)
    published = PUBLISHED.get(dataset, {})
    rec, ends = record["recommendation"], last.get("uncertainty", {})

    def span(pair) -> str:
        return "{:.2g} – {:.2g}".format(*pair)

    rows = [
        (
            t("homework_best1"),
            "—" if best is None else f"{best:.2f}",
            f"{published['best']:.2f}" if published else "—",
        )
    ]
    for key in ("lr", "weight_decay"):
        ours = span(rec[key]) + (f" ({ends_text(ends[key])})" if key in ends else "")
        rows.append((t(f"homework_{key}_range"), ours, span(published[key]) if published else "—"))
    return rows
