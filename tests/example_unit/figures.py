"""One bar per classifier."""

from __future__ import annotations

from matplotlib.figure import Figure

from nnreport.plots import fixed_figures


def accuracy_bars(record: dict, arrays: dict, title: str, t) -> Figure:
    fig = Figure(figsize=(4.0, 3.0))
    ax = fig.subplots()
    names = list(record["accuracy"])
    ax.bar(names, [record["accuracy"][n] for n in names])
    ax.set(ylabel=t("plot_classifier_accuracy"), ylim=(0, 1), title=title)
    fig.tight_layout()
    return fig


figure_names, draw = fixed_figures({"centroid": accuracy_bars})
