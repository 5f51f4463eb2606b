"""The search section: stages, the best trials, the recommended ranges."""

from __future__ import annotations

from nnreport.report.findings import Claim, Finding, make
from nnreport.report.sections import base, fmt, table

CLAIMS = (Claim("lr_range"),)


def build(ctx) -> dict:
    record, t = ctx["record"], ctx["t"]
    section = base(ctx, head=12, tail=12)
    stage_rows = [
        [str(s["stage"]), box_text(s["box"]), box_text(s["best_range"]),
         f"{len(s['trials']) - s['diverged']} / {len(s['trials'])}", str(s["diverged"])]
        for s in record["stages"]
    ]  # fmt: skip
    section["tables"].append(
        table(
            t("hparam_stage_table", title=ctx["title"]),
            [t("stage"), t("searched"), t("best_range"), t("trials_ok"), t("diverged")],
            stage_rows,
        )  # fmt: skip
    )
    last = record["stages"][-1]
    trials = {tr["index"]: tr for tr in last["trials"]}
    ok = [trials[i] for i in last["ranking"] if trials[i]["status"] == "ok"]
    best_rows = [
        [f"Best-{n}", fmt(tr["val_acc"], 3), fmt(tr["train_acc"], 3), f"{tr['lr']:.3g}",
         f"{tr['weight_decay']:.3g}"]
        for n, tr in enumerate(ok[: len(last["best"])], start=1)
    ]  # fmt: skip
    section["tables"].append(
        table(
            t("hparam_best_table", count=len(best_rows), stage=last["stage"]),
            [t("rank"), t("val_accuracy"), t("train_accuracy"), "lr", t("weight_decay")],
            best_rows,
        )  # fmt: skip
    )
    rec = record["recommendation"]
    section["highlight"] = t(
        "hparam_recommendation", lr_low=f"{rec['lr'][0]:.3g}", lr_high=f"{rec['lr'][1]:.3g}",
        wd_low=f"{rec['weight_decay'][0]:.3g}", wd_high=f"{rec['weight_decay'][1]:.3g}",
        k=record["settings_used"]["top_k"], stage=last["stage"],
    )  # fmt: skip
    return section


def box_text(box: dict) -> str:
    return (f"lr [{box['lr'][0]:.3g}, {box['lr'][1]:.3g}], "
            f"wd [{box['weight_decay'][0]:.3g}, {box['weight_decay'][1]:.3g}]")  # fmt: skip


def findings(ctx) -> list[Finding]:
    record, t = ctx["record"], ctx["t"]
    low, high = record["recommendation"]["lr"]
    overlap = "supported" if high >= 1e-3 and low <= 1e-2 else "not_supported"
    return [make(t, "lr_range", (overlap, "search result"), low=f"{low:.2g}", high=f"{high:.2g}")]


def summary(record: dict, t) -> list[tuple[str, str]]:
    rec = record["recommendation"]
    return [
        (t("summary_lr_range"), "{:.2g} … {:.2g}".format(*rec["lr"])),
        (t("summary_wd_range"), "{:.2g} … {:.2g}".format(*rec["weight_decay"])),
    ]
