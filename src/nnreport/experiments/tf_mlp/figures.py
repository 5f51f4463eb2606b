"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nnreport.plots import (
    COLOURS,
    MARKERS,
    PANEL,
    fixed_figures,
    legend_below,
    panel,
    plain_log_ticks,
)

# The study's default arms, with display names (messages arm_<name>).
NAMED_ARMS = (
    "gd",
    "adam_seed",
    "adam_default",
    "gd_dropout",
    "adam_seed_plain",
    "adam_seed_lr",
    "adam_seed_beta_1",
    "adam_seed_beta_2",
    "adam_seed_epsilon",
)


def arm_label(t, name: str) -> str:
    """The reader's name of an arm (message ``arm_<name>``); a user's own arm keeps its name."""
    return t(f"arm_{name}") if name in NAMED_ARMS else name


def tf_accuracy_strip(record: dict, arrays: dict, title: str, t) -> Figure:
    """Final test accuracy of every run, one row per arm: a box with the runs as dots
    (diverged runs as red crosses at 0); the dotted line is where a run counts as collapsed."""
    arms = record["arms"]
    fig = Figure(figsize=(PANEL[0], 0.8 + 0.22 * len(arms)), layout="constrained")
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # vertical jitter only
    for y, arm in enumerate(arms):
        runs = [r for r in record["runs"] if r["arm"] == arm]
        acc = np.array([r["test_acc"] for r in runs if r["status"] == "ok"], dtype=np.float64)
        if acc.size:
            ax.boxplot(
                acc,
                positions=[y],
                widths=0.6,
                vert=False,
                showfliers=False,
                medianprops={"color": "k"},
            )
            ax.scatter(
                acc,
                y + rng.uniform(-0.18, 0.18, acc.size),
                s=10,
                zorder=3,
                alpha=0.8,
                color=COLOURS[y % len(COLOURS)],
                marker=MARKERS[y % len(MARKERS)],
                linewidths=0,
            )
        diverged = sum(r["status"] != "ok" for r in runs)
        if diverged:
            ax.scatter([0.0] * diverged, [y] * diverged, marker="x", color="tab:red", zorder=3)
    ax.axvline(record["collapse_level"], color="gray", ls=":", lw=1)
    # long names in two lines, so the labels leave the plot its width
    labels = [textwrap.fill(arm_label(t, arm), 20, break_on_hyphens=False) for arm in arms]
    ax.set_yticks(range(len(arms)), labels, fontsize=6.5, linespacing=0.95)
    ax.set_ylim(len(arms) - 0.5, -0.5)  # the first arm on top
    ax.set(xlabel=t("test_accuracy"), xlim=(0, 1.0), title=title)
    ax.grid(alpha=0.3, axis="x")
    return fig


def tf_cost_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Average cost per epoch of every run of the arms that run on every dataset (the
    factorial and the control), one colour and marker per arm."""
    settings = {a["name"]: a for a in record["settings_used"]["arms"]}
    shown = [a for a in record["arms"] if settings[a].get("datasets") is None]
    fig, ax = panel(extra_height=0.8)
    cost = arrays["cost"]  # (runs, epochs)
    epochs = np.arange(1, cost.shape[1] + 1)
    every = max(1, len(epochs) // 6)
    for index, arm in enumerate(shown):
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == arm]
        for n, i in enumerate(rows):
            ax.plot(
                epochs,
                cost[i],
                color=COLOURS[index % len(COLOURS)],
                ls="-",
                lw=0.8,
                alpha=0.7,
                marker=MARKERS[index % len(MARKERS)],
                markersize=2.5,
                markevery=every,
                label=arm_label(t, arm) if n == 0 else None,
            )
    ax.set(xlabel=t("plot_epoch"), ylabel=t("plot_cost"), yscale="log", title=title)
    plain_log_ticks(ax.yaxis)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.grid(alpha=0.3)
    legend_below(fig, ax, ncols=1)  # one arm a line: the names are long
    return fig


figure_names, draw = fixed_figures(
    {"tf_mlp-accuracy": tf_accuracy_strip, "tf_mlp-cost": tf_cost_curves}
)
