"""The search section: stages, the best trials, the recommended ranges."""

from __future__ import annotations

from nnreport.experiments.common import epoch_schedule
from nnreport.experiments.hparam_search.train import stage_title
from nnreport.report.findings import ALPHA, Claim, Finding, Test, make
from nnreport.report.numbers import fixed, interval, p_value, sig
from nnreport.report.sections import base, log_excerpt, table

CLAIMS = (Claim("lr_range"), Claim("wd_range"))
TEXTBOOK = {"lr": (1e-3, 1e-2), "weight_decay": (1e-8, 1e-6)}  # the textbook's ranges (6.5.3)
# best_shown: how many trials the log lists; train, validation, score: the split the run
# made (the limits give the scoring size); repeats: one run per trial
HIDDEN_SETTINGS = ("best_shown", "train", "validation", "score", "repeats")
RANGE_SETTINGS = ("lr_range", "lr_limit", "weight_decay_range", "weight_decay_limit")


def build(ctx) -> dict:
    record, t = ctx.record, ctx.t
    section = base(ctx)
    section["log"] = search_log(record)
    entries = [*record["stages"], *record["repeats"]]
    section["tables"].append(
        table(
            t("hparam_stage_table", title=ctx.title),
            [
                t("stage"),
                t("searched_lr"),
                t("searched_wd"),
                t("best_lr"),
                t("best_wd"),
                t("hparam_decay_p"),
                t("diverged"),
            ],
            [
                [
                    stage_label(record, e["stage"], t),
                    *box_cells(e["box"], t),
                    *box_cells(e["best_range"], t),
                    p_cell(e["decay_effect"]),
                    str(e["diverged"]),
                ]
                for e in entries
            ],
        )
    )
    last = record["stages"][-1]
    trials = {tr["index"]: tr for tr in last["trials"]}
    ok = [trials[i] for i in last["ranking"] if trials[i]["status"] == "ok"]
    section["tables"].append(
        table(
            t("hparam_best_table"),
            [
                t("rank"),
                t("hparam_score"),
                t("val_accuracy"),
                t("train_accuracy"),
                t("learning_rate"),
                t("weight_decay"),
            ],
            [
                [
                    str(n),
                    fixed(tr["score"]),
                    fixed(tr["val_acc"], 2),
                    fixed(tr["train_acc"], 3),
                    sig(tr["lr"]),
                    sig(tr["weight_decay"]),
                ]
                for n, tr in enumerate(ok[: len(last["top"])], start=1)
            ],
            note=t(
                "hparam_best_note",
                count=len(last["top"]),
                stage=last["stage"] + 1,
                score=record["split"]["score"],
            ),
        )
    )
    return section


def search_log(record: dict, best: int = 1) -> str:
    """The log's header of each stage (and repeat) with its first ``best`` lines."""
    lines = []
    for entry in [*record["stages"], *record["repeats"]]:
        header = stage_title(record["settings_used"], entry["stage"])
        lines += [f"=========== {header} ===========", *entry["best"][:best]]
    return log_excerpt(lines, len(lines), 0)


def stage_label(record: dict, stage: int, t) -> str:
    max_stages = record["settings_used"]["max_stages"]
    if stage >= max_stages:
        return t("hparam_repeat", n=stage - max_stages + 1)
    return str(stage + 1)


def p_cell(effect: dict) -> str:
    return "—" if effect["p"] is None else p_value(effect["p"])


def range_text(record: dict, key: str, t) -> str:
    """The recommended range of ``key``; open ("≥ 0.016") at an edge it still touched when
    the search ended."""
    low, high = (sig(v) for v in record["recommendation"][key])
    sides = record.get("open", {}).get(key, [])
    if "low" in sides and "high" in sides:
        return "—"
    if "high" in sides:
        return f"≥ {low}"
    if "low" in sides:
        return f"≤ {high}"
    return t("range", low=low, high=high)


def spread_text(record: dict, key: str, t) -> str:
    """How far each end moved over the last stage and its repeats: "[a, b] … [c, d]"."""
    ends = record.get("spread", {}).get(key)
    if not ends:
        return "—"
    low, high = ("[{}, {}]".format(*interval(a, b, 2)) for a, b in ends)
    return t("range", low=low, high=high)


def box_cells(box: dict, t) -> list[str]:
    """A box's learning-rate and weight-decay ranges, one cell each."""
    return [t("range", low=sig(a), high=sig(b)) for a, b in (box["lr"], box["weight_decay"])]


def findings(ctx) -> list[Finding]:
    """The recommended ranges against the textbook's (learning rate 0.001 … 0.01, weight
    decay 1e-8 … 1e-6): supported when they overlap. A range open on a side is inconclusive
    unless the textbook's lies on the other side of it (then moving on could only take it
    further away); the weight-decay range is inconclusive where weight decay had no
    detectable effect inside the last box (F-test, 5 %)."""
    record, t = ctx.record, ctx.t
    effect = record["stages"][-1]["decay_effect"]
    found = []
    for claim, key in (("lr_range", "lr"), ("wd_range", "weight_decay")):
        low, high = record["recommendation"][key]
        textbook = TEXTBOOK[key]
        sides = record.get("open", {}).get(key, [])
        overlap = high >= textbook[0] and low <= textbook[1]
        away = (low > textbook[1] and set(sides) <= {"high"}) or (
            high < textbook[0] and set(sides) <= {"low"}
        )
        shown = {"edges": ", ".join(t(f"edge_{e}") for e in sides)}
        number = range_text(record, key, t)
        if key == "weight_decay" and (effect["p"] is None or effect["p"] >= ALPHA):
            test = Test(
                "inconclusive",
                f"rule_{claim}",
                "basis_no_decay_effect",
                {"p": p_cell(effect)},
                key=number,
            )
        elif sides and away:
            test = Test("not_supported", f"rule_{claim}", "basis_box_edge_away", shown, key=number)
        elif sides:
            test = Test("inconclusive", f"rule_{claim}", "basis_box_edge", shown, key=number)
        else:
            test = Test(
                "supported" if overlap else "not_supported",
                f"rule_{claim}",
                "basis_search",
                {"top": len(record["stages"][-1]["top"])},
                key=number,
            )
        found.append(make(t, claim, test, range=number, spread=spread_text(record, key, t)))
    return found


def discuss(parts: list[dict], t) -> list[str]:
    """Why the recommended learning rates lie above the textbook's, where they do: its box
    (and the homework's, drawn from it) ends at the first stage's upper edge; ours moved past
    it. With the training budget of every trial, which favours large rates."""
    above = [
        p["title"] for p in parts if p["record"]["recommendation"]["lr"][0] > TEXTBOOK["lr"][1]
    ]
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
    """How the trials were scored."""
    sizes = sorted({record["split"]["score"] for _, record in records})
    lines = []
    if sizes:
        lines.append(t("limit_search", score=" / ".join(f"{n:,}" for n in sizes)))
    return lines


def training_subset(settings: dict, t) -> str:
    return t("subset_hparam_search", n=f"{settings['train_samples']:,}")


WRITEUP = "HW5"
# HW5's published search results (Best-1 validation accuracy, ranges read by hand).
PUBLISHED = {
    "fashion_mnist": {"best": 0.73, "lr": (0.0038, 0.0088), "weight_decay": (5.3e-8, 2.67e-5)},
    "digits": {"best": 0.92, "lr": (0.0040, 0.0097), "weight_decay": (3.88e-7, 9.46e-5)},
}


def homework(record: dict, arrays: dict, dataset: str, t) -> list[tuple[str, str, str]]:
    """The first stage's Best-1 by the textbook's protocol (its box, 100 validation images),
    which is what the homework measured, and the recommended ranges, beside the homework's
    ("—" where it has none)."""
    first = record["stages"][0]
    published = PUBLISHED.get(dataset, {})

    def span(pair) -> str:
        return t("range", low=sig(pair[0], 2), high=sig(pair[1], 2))

    rows = [
        (
            t("homework_best1"),
            fixed(first["best_val"], 2),
            fixed(published["best"], 2) if published else "—",
        )
    ]
    for key in ("lr", "weight_decay"):
        rows.append(
            (
                t(f"homework_{key}_range"),
                range_text(record, key, t),
                span(published[key]) if published else "—",
            )
        )
    return rows
