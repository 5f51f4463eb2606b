"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import band, fixed_figures, legend_below, panel, plain_log_ticks, smooth


def loss_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Smoothed training loss per arm against the iteration (optimizers, weight_init)."""
    fig, ax = panel(extra_height=0.5)
    loss = arrays["loss"]  # (repeats, iterations, arms)
    steps = np.arange(loss.shape[1])
    for index, label in enumerate(record["labels"]):
        band(ax, steps, [smooth(run[:, index]) for run in loss], label=label, linewidth=1.2)
    ax.set_yscale("log")  # final losses differ by orders of magnitude (0.2 against 5e-05)
    finite = loss[np.isfinite(loss) & (loss > 0)]
    if finite.size:  # the top fits the runs, not a diverging one's blow-up
        ax.set_ylim(top=min(float(np.percentile(finite, 99.5)) * 1.5, 10.0))
    plain_log_ticks(ax.yaxis)
    ax.set(xlabel=t("plot_iteration"), ylabel=t("plot_loss_smoothed"), title=title)
    ax.grid(alpha=0.3)
    legend_below(fig, ax, ncols=2)
    return fig


figure_names, draw = fixed_figures({"optimizers": loss_curves})
