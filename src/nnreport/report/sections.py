"""One context builder per report section: result record in, template variables out.

Every builder returns ``key``, ``title``, ``intro``, ``settings`` (rows), ``log``,
``figures`` (data URIs with captions), ``tables`` and optionally a ``highlight`` box.
"""

from __future__ import annotations

import numpy as np

from nnreport.report import findings
from nnreport.report.assets import Paths, figure_uri, load_result
from nnreport.report.code import reviewed_code


def log_excerpt(lines: list[str], head: int = 10, tail: int = 10, gap: str = "(…)") -> str:
    """The first ``head`` and last ``tail`` lines with ``gap`` between, as in a pasted log."""
    if len(lines) <= head + tail:
        return "\n".join(lines)
    return "\n".join([*lines[:head], gap, *lines[-tail:]])


def settings_rows(settings: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in settings.items():
        if key == "optimizer_configs":
            for config in value:
                params = ", ".join(f"{k}={v}" for k, v in config.items() if k != "name")
                rows.append((f"optimizer {config['name']}", params))
        elif key != "arms" or not isinstance(value, list):
            rows.append((key, str(value)))
        else:
            rows.append(
                (key, "; ".join(", ".join(f"{k}={v}" for k, v in a.items()) for a in value))
            )
    return rows


def fmt(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return f"{value:.{digits}f}"


def mean(values) -> float | None:
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else None


def table(caption: str, header: list[str], rows: list[list]) -> dict:
    return {"caption": caption, "header": header, "rows": rows}


def base(ctx, key: str, record: dict, figures: list[str], head=10, tail=10) -> dict:
    """Fields every section has; ``figures`` are figure names under the scope's figures/."""
    t, paths, scope, title = ctx["t"], ctx["paths"], ctx["scope"], ctx["title"]
    return {
        "key": key,
        "title": t(f"{key}_title"),
        "intro": t(f"{key}_intro"),
        "settings": settings_rows(record["settings_used"]),
        "log": log_excerpt(record.get("log", []), head, tail, t("omitted")),
        "figures": [
            {
                "uri": figure_uri(paths.figure(scope, name)),
                "caption": t(f"caption_{name.replace('-', '_')}", title=title),
            }
            for name in figures
        ],  # fmt: skip
        "tables": [],
        "highlight": None,
    }


def status_text(t, statuses, steps) -> str:
    bad = [(r, s) for r, (st, s) in enumerate(zip(statuses, steps, strict=True)) if st != "ok"]
    return t("ok") if not bad else "; ".join(t("diverged_at", step=s) for _, s in bad)


def loss_comparison(ctx, key: str, figure: str) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], key))
    t = ctx["t"]
    arms = record["arms"]
    loss, acc = np.array(record["final_loss"], float), np.array(record["test_acc"], float)
    rows = [
        [label, fmt(mean(loss[:, i])), fmt(mean(acc[:, i])),
         status_text(t, [s[i] for s in record["status"]], [d[i] for d in record["diverged_at"]])]
        for i, label in enumerate(arms)
    ]  # fmt: skip
    section = base(ctx, key, record, [figure], head=1 + 2 * (len(arms) + 1), tail=len(arms) + 1)
    section["tables"].append(
        table(
            t(f"{key}_table", title=ctx["title"]),
            [t("arm"), t("final_loss"), t("test_accuracy"), t("status")],
            rows,
        )  # fmt: skip
    )
    return section


def optimizers(ctx) -> dict:
    return loss_comparison(ctx, "optimizers", "optimizers")


def weight_init(ctx) -> dict:
    return loss_comparison(ctx, "weight_init", "weight_init")


def regularization(ctx, key: str) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], key))
    t = ctx["t"]
    rows = [
        [str(r + 1), fmt(tr), fmt(te), fmt(gap)]
        for r, (tr, te, gap) in enumerate(
            zip(record["final_train_acc"], record["final_test_acc"], record["gap"], strict=True)
        )
    ]
    summary = record["summary"]
    if len(rows) > 1:
        rows.append([t("mean"), fmt(summary["train_acc"]), fmt(summary["test_acc"]),
                     fmt(summary["gap"])])  # fmt: skip
    section = base(ctx, key, record, [key])
    section["tables"].append(
        table(
            t("regularization_table", title=ctx["title"]),
            [t("repeat"), t("train_accuracy"), t("test_accuracy"), t("gap")],
            rows,
        )  # fmt: skip
    )
    return section


def batch_norm(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], "batch_norm"))
    t = ctx["t"]
    final = np.array(record["final_train_acc"], float)  # (repeats, variant, scales)
    rows = [
        [f"{scale:.3g}", fmt(mean(final[:, 0, i])), fmt(mean(final[:, 1, i]))]
        for i, scale in enumerate(record["scales"])
    ]
    section = base(ctx, "batch_norm", record, ["batch_norm"], head=8, tail=8)
    wins = record["batch_norm_wins"]
    section["highlight"] = t("batch_norm_wins", wins=wins[0] if len(wins) == 1 else
                             f"{min(wins)}–{max(wins)}", total=len(record["scales"]))  # fmt: skip
    section["tables"].append(
        table(
            t("batch_norm_table", title=ctx["title"]),
            [t("weight_scale"), t("without_bn"), t("with_bn")],
            rows,
        )  # fmt: skip
    )
    return section


def hparam_search(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], "hparam_search"))
    t = ctx["t"]
    section = base(ctx, "hparam_search", record, ["hparam_search-best", "hparam_search-scatter"],
                   head=12, tail=12)  # fmt: skip
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


def gradient_check(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], "gradient_check"))
    t = ctx["t"]
    rows = [
        [r["param"], "×".join(map(str, r["shape"])), str(r["entries"]),
         f"{r['max_abs_diff']:.2e}", f"{r['max_rel_diff']:.2e}"]
        for r in record["rows"]
    ]  # fmt: skip
    section = base(ctx, "gradient_check", record, ["gradient_check"], head=20, tail=10)
    section["tables"].append(
        table(
            t("gradient_check_table", title=ctx["title"]),
            [t("parameter"), t("shape"), t("entries"), t("max_abs_diff"), t("max_rel_diff")],
            rows,
        )  # fmt: skip
    )
    return section


def activations(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result("general", "activations"))
    t = ctx["t"]
    names = [f"activations-{a}" for a in record["activations"]]
    section = base(ctx, "activations", record, names, head=12, tail=12)
    rows = [
        [act, init, " / ".join(f"{s:.3f}" for s in stds), f"{sat[-1]:.2f}"]
        for act, per_init_std, per_init_sat in zip(
            record["activations"], record["std"], record["saturated"], strict=True
        )
        for init, stds, sat in zip(record["inits"], per_init_std, per_init_sat, strict=True)
    ]
    section["tables"].append(
        table(
            t("activations_table"),
            [t("activation"), t("init"), t("layer_std"), t("saturated_last")],
            rows,
        )  # fmt: skip
    )
    return section


def toy_optimizers(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result("general", "toy_optimizers"))
    t = ctx["t"]
    rows = [
        [label, f"({x:.3f}, {y:.3f})", f"{f:.3g}"]
        for label, (x, y), f in zip(
            record["arms"], record["final_point"], record["final_value"], strict=True
        )
    ]
    section = base(ctx, "toy_optimizers", record, ["toy_optimizers"])
    section["tables"].append(
        table(
            t("toy_table", steps=record["settings_used"]["steps"]),
            [t("arm"), t("final_point"), t("final_value")],
            rows,
        )  # fmt: skip
    )
    return section


def run_cell(t, run: dict | None) -> str:
    if run is None:
        return ""
    if run["status"] != "ok":
        return t("tf_diverged_in", epoch=run["diverged_epoch"])
    return fmt(run["test_acc"])


def optimizer_text(spec: dict) -> str:
    return spec["name"] + "(" + ", ".join(f"{k}={v}" for k, v in spec.items() if k != "name") + ")"


def tf_mlp(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result(ctx["scope"], "tf_mlp"))
    t, arms = ctx["t"], record["arms"]
    settings = record["settings_used"]
    section = base(ctx, "tf_mlp", record, ["tf_mlp-accuracy", "tf_mlp-cost"], head=16, tail=16)
    section["settings"] = [row for row in section["settings"] if row[0] != "arms"] + [
        (f"arm {a['name']}", f"{optimizer_text(a['optimizer'])}, keep_prob={a['keep_prob']}, "
                            f"runs={a['runs']}")
        for a in settings["arms"]
    ]  # fmt: skip
    runs = {(r["arm"], r["run"]): r for r in record["runs"]}
    most = max(a["runs"] for a in settings["arms"])
    section["tables"].append(
        table(
            t("tf_run_table", title=ctx["title"], split=record["split"]["train"]),
            [t("run"), *arms],
            [
                [f"({n})", *(run_cell(t, runs.get((a, n))) for a in arms)]
                for n in range(1, most + 1)
            ],
        )  # fmt: skip
    )
    stats = record["stats"]
    section["tables"].append(
        table(
            t("tf_arm_table"),
            [
                t("arm"),
                t("runs"),
                t("mean"),
                t("std"),
                t("min"),
                t("max"),
                t("good_runs"),
                t("diverged"),
            ],
            [
                [
                    a,
                    str(stats[a]["runs"]),
                    fmt(stats[a]["mean"]),
                    fmt(stats[a]["std"]),
                    fmt(stats[a]["min"]),
                    fmt(stats[a]["max"]),
                    str(stats[a]["good"]),
                    str(stats[a]["diverged"]),
                ]
                for a in arms
            ],
        )  # fmt: skip
    )
    sweep = record.get("sweep")
    if sweep:
        sweep_runs = [r for r in record["runs"] if r["arm"] == "sweep"]
        section["tables"].append(
            table(
                t("tf_sweep_table", arm=sweep["arm"], epochs=settings["epochs"]),
                ["lr", t("holdout_accuracy"), t("test_accuracy"), t("status")],
                [
                    [
                        f"{r['learning_rate']:g}",
                        fmt(r["holdout_acc"]),
                        fmt(r["test_acc"]),
                        run_cell(t, r) if r["status"] != "ok" else t("ok"),
                    ]
                    for r in sweep_runs
                ],
            )  # fmt: skip
        )
        best = "—" if sweep["best"] is None else f"{sweep['best']:g}"
        section["highlight"] = t("tf_sweep_highlight", arm=sweep["arm"],
                                 chosen=f"{sweep['chosen']:g}", best=best)  # fmt: skip
    return section


BUILDERS = {
    "optimizers": optimizers,
    "weight_init": weight_init,
    "batch_norm": batch_norm,
    "overfit": lambda ctx: regularization(ctx, "overfit"),
    "weight_decay": lambda ctx: regularization(ctx, "weight_decay"),
    "dropout": lambda ctx: regularization(ctx, "dropout"),
    "hparam_search": hparam_search,
    "gradient_check": gradient_check,
    "tf_mlp": tf_mlp,
}


def tf_crosscheck(ctx) -> dict:
    record, _ = load_result(ctx["paths"].result("general", "tf_crosscheck"))
    t = ctx["t"]
    section = base(ctx, "tf_crosscheck", record, [], head=20, tail=20)
    section["tables"].append(
        table(
            t(
                "tf_optimizer_table",
                steps=record["settings_used"]["steps"],
                version=record["tensorflow"],
            ),
            [t("arm"), t("reference"), t("max_abs_diff"), t("moved")],
            [
                [r["optimizer"], r["keras"], f"{r['max_abs_diff']:.2e}", f"{r['moved']:.3g}"]
                for r in record["optimizers"]
            ],
        )  # fmt: skip
    )
    section["tables"].append(
        table(
            t("tf_gradient_table"),
            [t("parameter"), t("shape"), t("max_rel_diff")],
            [
                [r["param"], "×".join(map(str, r["shape"])), f"{r['max_rel_diff']:.2e}"]
                for r in record["gradients"]
            ],
        )  # fmt: skip
    )
    return section


GENERAL_BUILDERS = {
    "activations": activations,
    "toy_optimizers": toy_optimizers,
    "tf_crosscheck": tf_crosscheck,
}


def build(key: str, scope: str, title: str, paths: Paths, t) -> dict:
    builders = GENERAL_BUILDERS if scope == "general" else BUILDERS
    section = builders[key]({"scope": scope, "title": title, "paths": paths, "t": t})
    section["findings"] = section_findings(key, scope, paths, t)
    section["code"] = reviewed_code(key)
    return section


def section_findings(key: str, scope: str, paths: Paths, t) -> list[findings.Finding]:
    check = findings.DATASET_FINDINGS.get(key) if scope != "general" else None
    if check is None:
        return []
    record, arrays = load_result(paths.result(scope, key))
    if key in findings.NEEDS_OVERFIT:
        overfit = paths.result(scope, "overfit")
        return check(record, arrays, t, load_result(overfit)[0] if overfit.is_file() else None)
    return check(record, arrays, t)
