"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnreport.plots import PANEL, band, fixed_figures


def hparam_best_grid(record: dict, arrays: dict, title: str, t) -> Figure:
    """Validation accuracy per epoch (the textbook's 100 images) of the last stage's top-k
    trials, the ones that set the recommended range (the ranking table lists ties too)."""
    stage = record["stages"][-1]
    best = [i for i in stage["ranking"] if stage["trials"][i]["status"] == "ok"]
    best = best[: record["settings_used"]["top_k"]]
    val = arrays[f"stage{stage['stage']}_val_acc"]  # (repeats, trials, epochs)
    cols = 5
    rows = max(1, math.ceil(len(best) / cols))
    fig = Figure(figsize=(1.6 * cols, 1.3 * rows + 0.5))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    epochs = np.arange(val.shape[-1])
    for n, ax in enumerate(axes.flat):
        if n >= len(best):
            ax.set_axis_off()
            continue
        band(ax, epochs, val[:, best[n]], color="#0072B2", linewidth=1.1)
        ax.set_title(f"{n + 1}", fontsize=7)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=6)
    fig.suptitle(t("plot_best_title", title=title, stage=stage["stage"] + 1), fontsize=9)
    fig.supxlabel(t("plot_epoch"), fontsize=8)
    fig.supylabel(t("val_accuracy"), fontsize=8)
    fig.tight_layout()
    return fig


def hparam_scatter(record: dict, arrays: dict, title: str, t) -> Figure:
    """Every trial of every search stage: lr vs weight decay, coloured by held-out score."""
    fig = Figure(figsize=(PANEL[0] + 0.5, PANEL[1] + 0.5))  # the colour bar, the legend below
    ax = fig.subplots()
    markers = "os^Dv"
    points = None
    for stage in record["stages"]:
        ok = [tr for tr in stage["trials"] if tr["status"] == "ok"]
        bad = [tr for tr in stage["trials"] if tr["status"] != "ok"]
        points = ax.scatter(
            [tr["lr"] for tr in ok],
            [tr["weight_decay"] for tr in ok],
            c=[tr["score"] for tr in ok],
            cmap="viridis",
            vmin=0,
            vmax=1,
            marker=markers[stage["stage"] % len(markers)],
            s=12,
            edgecolors="k",
            linewidths=0.3,
            label=t("plot_stage", stage=stage["stage"] + 1),
        )
        if bad:
            ax.scatter(
                [tr["lr"] for tr in bad],
                [tr["weight_decay"] for tr in bad],
                marker="x",
                color="tab:red",
                s=12,
                label=t("plot_stage_diverged", stage=stage["stage"] + 1),
            )
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
                lw=1.6 if last else 1.0,
                zorder=5,
                edgecolor="#D55E00" if last else "#444444",
                label=t("plot_range_box", stage=stage["stage"] + 1),
            )
        )
    ax.set(xscale="log", yscale="log", xlabel=t("plot_lr"), ylabel=t("weight_decay"), title=title)
    if points is not None:
        fig.colorbar(points, ax=ax, label=t("plot_score"))
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncols=2, fontsize=6.5)
    fig.tight_layout(rect=(0, 0.16, 1, 1))  # the legend below the plot, off the points
    return fig


figure_names, draw = fixed_figures(
    {"hparam_search-best": hparam_best_grid, "hparam_search-scatter": hparam_scatter}
)
