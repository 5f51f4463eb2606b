"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import fixed_figures


def toy_paths(record: dict, arrays: dict, title: str, t) -> Figure:
    """Each optimizer's path over the contour lines of f(x, y) = x^2/20 + y^2."""
    paths = arrays["paths"]
    cols = min(len(paths), 4)  # one row across the page
    rows = math.ceil(len(paths) / cols)
    fig = Figure(figsize=(1.8 * cols, 1.35 * rows + 0.15), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    x, y = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    z = x**2 / 20 + y**2
    for i, ax in enumerate(axes.flat):
        if i >= len(paths):
            ax.set_axis_off()
            continue
        ax.contour(x, y, z, levels=np.geomspace(0.05, 30, 12), colors="0.7", linewidths=0.6)
        ax.plot(paths[i, :, 0], paths[i, :, 1], "o-", color="tab:red", markersize=2, lw=0.9)
        ax.plot(0, 0, "+", color="k", markersize=9, markeredgewidth=1.6, zorder=5)
        ax.set(xlim=(-10, 10), ylim=(-5, 5), title=record["labels"][i], xlabel="x")
        if i % cols == 0:
            ax.set_ylabel("y")
    return fig


figure_names, draw = fixed_figures({"toy_optimizers": toy_paths})
