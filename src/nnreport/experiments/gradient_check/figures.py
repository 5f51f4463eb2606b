"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

from matplotlib.figure import Figure

from nnreport.plots import PANEL, fixed_figures


def gradient_diffs(record: dict, arrays: dict, title: str, t) -> Figure:
    """Largest |backprop - numerical| per parameter array, on a log axis."""
    rows = record["rows"]
    fig = Figure(figsize=PANEL)
    ax = fig.subplots()
    diffs = [max(r["max_abs_diff"], 1e-20) for r in rows]
    ax.bar([r["param"] for r in rows], diffs)
    # one scale for every dataset's figure (they stand side by side), widened if need be
    ax.set(
        yscale="log",
        ylabel=t("plot_grad_diff"),
        title=title,
        ylim=(min(1e-14, min(diffs) / 2), max(1e-6, max(diffs) * 2)),
    )
    ax.tick_params(axis="x", labelrotation=60, labelsize=6.5)
    fig.tight_layout()
    return fig


figure_names, draw = fixed_figures({"gradient_check": gradient_diffs})
