"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import PANEL, fixed_figures, plain_log_ticks

NAMED_ARMS = ("gd", "adam_seed", "adam_default")  # the study's arms, with display names


def arm_label(t, name: str) -> str:
    """The reader's name of an arm (message ``arm_<name>``); a user's own arm keeps its name."""
    return t(f"arm_{name}") if name in NAMED_ARMS else name


def tf_accuracy_strip(record: dict, arrays: dict, title: str, t) -> Figure:
    """Final test accuracy of every run by arm: a box per arm with the runs as dots
    (diverged runs as red crosses at the bottom)."""
    fig = Figure(figsize=PANEL)
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # horizontal jitter only
    for x, arm in enumerate(record["arms"], start=1):
        runs = [r for r in record["runs"] if r["arm"] == arm]
        acc = np.array([r["test_acc"] for r in runs if r["status"] == "ok"], dtype=np.float64)
        if acc.size:
            ax.boxplot(acc, positions=[x], widths=0.5, showfliers=False)
            ax.scatter(x + rng.uniform(-0.12, 0.12, acc.size), acc, s=16, zorder=3, alpha=0.8)
        diverged = sum(r["status"] != "ok" for r in runs)
        if diverged:
            ax.scatter(
                [x] * diverged,
                [0.0] * diverged,
                marker="x",
                color="tab:red",
                zorder=3,
                label=t("diverged") if x == 1 else None,
            )
    ax.axhline(0.9, color="gray", ls=":", lw=1)
    names = [textwrap.fill(arm_label(t, arm), 14) for arm in record["arms"]]  # a third of a page
    ax.set_xticks(range(1, len(record["arms"]) + 1), names, fontsize=6.5)
    ax.set(ylabel=t("test_accuracy"), ylim=(0, 1.0), title=title)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def tf_cost_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Average cost per epoch of every run, one colour per arm."""
    fig = Figure(figsize=(PANEL[0], PANEL[1] + 0.45))  # the legend below the plot
    ax = fig.subplots()
    cost = arrays["cost"]  # (runs, epochs)
    epochs = np.arange(1, cost.shape[1] + 1)
    for index, arm in enumerate(record["arms"]):
        color = f"C{index}"
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == arm]
        for n, i in enumerate(rows):
            ax.plot(
                epochs,
                cost[i],
                color=color,
                lw=1,
                alpha=0.7,
                label=arm_label(t, arm) if n == 0 else None,
            )
    ax.set(xlabel=t("plot_epoch"), ylabel=t("plot_cost"), yscale="log", title=title)
    plain_log_ticks(ax.yaxis)
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", fontsize=6)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    return fig


figure_names, draw = fixed_figures(
    {"tf_mlp-accuracy": tf_accuracy_strip, "tf_mlp-cost": tf_cost_curves}
)
