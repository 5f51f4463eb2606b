"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

from matplotlib.figure import Figure


def gradient_diffs(record: dict, arrays: dict, title: str, t) -> Figure:
    """Largest |backprop - numerical| per parameter array, on a log axis."""
    rows = record["rows"]
    fig = Figure(figsize=(5.0, 2.6))
    ax = fig.subplots()
    ax.bar([r["param"] for r in rows], [max(r["max_abs_diff"], 1e-20) for r in rows])
    ax.set(yscale="log", ylabel=t("plot_grad_diff"), title=title)
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    fig.tight_layout()
    return fig


FIGURES = {"gradient_check": gradient_diffs}
