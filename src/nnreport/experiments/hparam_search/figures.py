"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnreport.plots import PANEL, band, fixed_figures, legend_below


def hparam_best_grid(record: dict, arrays: dict, title: str, t) -> Figure:
    """Validation accuracy per epoch (the textbook's 100 images) of the last stage's top-k
    trials, the ones that set the recommended range (the ranking table lists ties too)."""
    stage = record["stages"][-1]
    best = [i for i in stage["ranking"] if stage["trials"][i]["status"] == "ok"]
    best = best[: record["settings_used"]["top_k"]]
    val = arrays[f"stage{stage['stage']}_val_acc"]  # (repeats, trials, epochs)
    cols = 5
    rows = max(1, math.ceil(len(best) / cols))
    fig = Figure(figsize=(7.2, 0.9 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    epochs = np.arange(val.shape[-1])
    for n, ax in enumerate(axes.flat):
        if n >= len(best):
            ax.set_axis_off()
            continue
        band(ax, epochs, val[:, best[n]], color="#0072B2", linewidth=1.1, marker="")
        ax.set_title(t("plot_rank", n=n + 1), pad=2)
        ax.set_ylim(0, 1)
    fig.suptitle(t("plot_best_title", title=title, stage=stage["stage"] + 1))
    fig.supxlabel(t("plot_epoch"))
    fig.supylabel(t("val_accuracy"))
    return fig


def hparam_scatter(record: dict, arrays: dict, title: str, t) -> Figure:
    """Every trial of every search stage: lr vs weight decay, coloured by held-out score and
    half transparent where stages pile up; each stage's range of best trials as a box over
    the points (earlier stages dashed grey, the last solid orange)."""
    # the colour bar beside, the legend below
    fig = Figure(figsize=(PANEL[0] + 0.4, PANEL[1] + 0.6), layout="constrained")
    ax = fig.subplots()
    points = None
    trials = [tr for stage in record["stages"] for tr in stage["trials"]]
    ok = [tr for tr in trials if tr["status"] == "ok"]
    bad = [tr for tr in trials if tr["status"] != "ok"]
    points = ax.scatter(
        [tr["lr"] for tr in ok],
        [tr["weight_decay"] for tr in ok],
        c=[tr["score"] for tr in ok],
        cmap="viridis",
        vmin=0,
        vmax=1,
        s=9,
        alpha=0.6,
        linewidths=0,
        label=t("plot_trials"),
    )
    if bad:
        ax.scatter(
            [tr["lr"] for tr in bad],
            [tr["weight_decay"] for tr in bad],
            marker="x",
            color="tab:red",
            s=9,
            linewidths=0.8,
            label=t("plot_diverged"),
        )
    for stage in record["stages"]:
        box = stage["best_range"]
        (lr_low, lr_high), (wd_low, wd_high) = box["lr"], box["weight_decay"]
        last = stage is record["stages"][-1]
        ax.add_patch(
            Rectangle(
                (lr_low, wd_low),
                lr_high - lr_low,
                wd_high - wd_low,
                fill=False,
                clip_on=False,
                ls="-" if last else "--",
                lw=1.8 if last else 1.0,
                zorder=5,
                edgecolor="#D55E00" if last else "#555555",
                label=t("plot_last_box") if last else None,
            )
        )
    ax.set(xscale="log", yscale="log", xlabel=t("plot_lr"), ylabel=t("weight_decay"), title=title)
    fig.colorbar(points, ax=ax, label=t("plot_score"))
    legend_below(fig, ax, ncols=1)  # three entries, one per row: none is cut at the edge
    return fig


figure_names, draw = fixed_figures(
    {"hparam_search-best": hparam_best_grid, "hparam_search-scatter": hparam_scatter}
)
