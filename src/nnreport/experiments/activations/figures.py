"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnreport.report.settings import NAMES


def activation_grid(record: dict, arrays: dict, title: str, t, activation: str) -> Figure:
    """Histograms of each layer's activations (columns) for each initialisation (rows)."""
    a = record["activations"].index(activation)
    hist = arrays["histograms"][a]  # (inits, layers, bins)
    low, high = record["ranges"][a]
    edges = np.linspace(low, high, hist.shape[-1] + 1)
    rows, cols = hist.shape[:2]
    fig = Figure(figsize=(1.5 * cols + 0.6, 1.2 * rows + 0.5))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r, c]
            ax.stairs(hist[r, c], edges, fill=True, alpha=0.8)
            ax.set_yticks([])
            ax.tick_params(labelsize=6)
            if r == 0:
                ax.set_title(t("plot_layer", n=c + 1), fontsize=8)
            if c == 0:
                ax.set_ylabel(record["init_labels"][r], fontsize=8)
    fig.suptitle(NAMES.get(activation, activation), fontsize=10)
    fig.tight_layout()
    return fig


def figure_names(name: str, settings: dict) -> list[str]:
    """One grid per activation function."""
    return [f"activations-{a}" for a in settings["activations"]]


def draw(name: str, record: dict, arrays: dict, title: str, t) -> Figure:
    return activation_grid(record, arrays, title, t, name.removeprefix("activations-"))
