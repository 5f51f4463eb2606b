"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import band, legend_below, panel


def accuracy_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Train and test accuracy per epoch (overfit, weight_decay, dropout)."""
    fig, ax = panel(extra_height=0.2)
    epochs = np.arange(arrays["train_acc"].shape[1])
    band(ax, epochs, arrays["train_acc"], label=t("train"))
    band(ax, epochs, arrays["test_acc"], label=t("test"))
    ax.set(xlabel=t("plot_epoch"), ylabel=t("plot_accuracy"), ylim=(0, 1.0), title=title)
    ax.grid(alpha=0.3)
    legend_below(fig, ax)
    return fig


def figure_names(name: str, settings: dict) -> list[str]:
    """One figure, named after the experiment (overfit, weight_decay or dropout)."""
    return [name]


def draw(name: str, record: dict, arrays: dict, title: str, t) -> Figure:
    return accuracy_curves(record, arrays, title, t)
