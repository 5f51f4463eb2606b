"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import band, smooth


def loss_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Smoothed training loss per arm against the iteration (optimizers, weight_init)."""
    fig = Figure(figsize=(5.2, 3.1))
    ax = fig.subplots()
    loss = arrays["loss"]  # (repeats, iterations, arms)
    steps = np.arange(loss.shape[1])
    for index, label in enumerate(record["labels"]):
        band(ax, steps, [smooth(run[:, index]) for run in loss], label=label, linewidth=1.2)
    finite = loss[np.isfinite(loss)]
    if finite.size:
        ax.set_ylim(0, min(float(np.percentile(finite, 99.5)) * 1.05, 2.6))
    ax.set(xlabel=t("plot_iteration"), ylabel=t("plot_loss_smoothed"), title=title)
    ax.grid(alpha=0.3)
    ax.legend(ncols=2, fontsize="small")
    fig.tight_layout()
    return fig


FIGURES = {"optimizers": loss_curves}
