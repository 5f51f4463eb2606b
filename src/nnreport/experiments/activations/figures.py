"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnreport.names import display


def activation_grid(record: dict, arrays: dict, title: str, t, activation: str) -> Figure:
    """Histograms of each layer's activations (columns) for each initialisation (rows)."""
    a = record["activations"].index(activation)
    hist = arrays["histograms"][a]  # (inits, layers, bins)
    low, high = record["ranges"][a]
    edges = np.linspace(low, high, hist.shape[-1] + 1)
    rows, cols = hist.shape[:2]
    fig = Figure(figsize=(1.15 * cols + 0.5, 0.36 * rows + 0.55), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r, c]
            ax.stairs(hist[r, c], edges, fill=True, alpha=0.8)
            ax.set_yticks([])
            if activation == "relu":
                # the zeros (half the units) would flatten the rest: cut the first bin, say it
                if hist[r, c, 1:].max() > 0:
                    ax.set_ylim(0, hist[r, c, 1:].max() * 1.6)  # room for the share above
                zeros = record["saturated"][a][r][c]
                label = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1}
                ax.text(
                    0.97,
                    0.93,
                    t("plot_zero_share", share=f"{zeros:.0%}"),
                    ha="right",
                    va="top",
                    transform=ax.transAxes,
                    fontsize=6.5,
                    bbox=label,
                )
            if r == 0:
                ax.set_title(t("plot_layer", n=c + 1))
            if c == 0:
                ax.set_ylabel(record["init_labels"][r], rotation=0, ha="right", va="center")
    fig.suptitle(display(activation, t))
    return fig


def figure_names(name: str, settings: dict) -> list[str]:
    """One grid per activation function."""
    return [f"activations-{a}" for a in settings["activations"]]


def draw(name: str, record: dict, arrays: dict, title: str, t) -> Figure:
    return activation_grid(record, arrays, title, t, name.removeprefix("activations-"))
