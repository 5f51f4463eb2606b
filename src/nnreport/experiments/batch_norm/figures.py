"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from nnreport.plots import band, fixed_figures


def batch_norm_grid(record: dict, arrays: dict, title: str, t) -> Figure:
    """One panel per weight scale: training accuracy with and without batch norm."""
    acc = arrays["train_acc"]  # (repeats, epochs, variant, scales)
    scales = record["scales"]
    rows = math.ceil(len(scales) / 8)  # up to 8 panels a row: drawn at the page's width
    cols = math.ceil(len(scales) / rows)
    fig = Figure(figsize=(7.2, 0.45 * rows + 0.52), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    epochs = np.arange(acc.shape[1])
    for i, ax in enumerate(axes.flat):
        if i >= len(scales):
            ax.set_axis_off()
            continue
        band(ax, epochs, acc[:, :, 1, i], label=t("with_bn"), linewidth=1.2)
        band(ax, epochs, acc[:, :, 0, i], label=t("without_bn"), linewidth=1.0)
        ax.set_title(f"w = {scales[i]:.3g}", pad=2)  # as the table prints it
        ax.set(ylim=(0, 1), yticks=(0, 0.5, 1))
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside upper right", ncols=2)
    fig.suptitle(title, x=0.02, ha="left")
    fig.supxlabel(t("plot_epoch"))
    fig.supylabel(t("plot_train_accuracy"))
    return fig


figure_names, draw = fixed_figures({"batch_norm": batch_norm_grid})
