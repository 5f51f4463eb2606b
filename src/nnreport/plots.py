"""What every figure shares: smoothing, mean-and-band curves, the dataset figures, saving.

Each experiment's own figures live in its unit (``experiments/<unit>/figures.py``); every
drawing function returns a matplotlib Figure and touches nothing global. With several
repeats, curves show the mean and a shaded min-max band.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from nnreport.messages import class_label  # noqa: E402
from nnreport.results import atomic_write  # noqa: E402

DPI = 110
# One plot's size: the report shows a dataset's plot at a third of the page width (the
# datasets side by side), so plots are drawn small with small fonts, read at about 6 pt.
PANEL = (2.8, 2.1)
RASTER = frozenset({"samples"})  # image grids stay PNG; every plot is SVG (vector)

# Okabe–Ito colours, each with its own line style, so that curves stay apart for colour-blind
# readers and in greyscale print.
matplotlib.rcParams.update(
    {
        "axes.prop_cycle": matplotlib.cycler(
            color=["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"],
            linestyle=["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2))],
        ),
        "svg.hashsalt": "nnreport",  # stable ids: the same result gives the same file
        "axes.unicode_minus": False,  # NanumGothic has no U+2212 minus sign
        "font.size": 8,
        "axes.titlesize": 9,
        "axes.labelsize": 8,
        "legend.fontsize": 6.5,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
    }
)


def figure_file(name: str) -> str:
    """The file name of figure ``name``: ``.png`` for image grids, ``.svg`` otherwise."""
    return f"{name}.png" if name in RASTER else f"{name}.svg"


SMOOTH_WINDOW = 19  # iterations a smoothed loss curve averages (the captions say so)


def smooth(values: np.ndarray, window: int = SMOOTH_WINDOW) -> np.ndarray:
    """Centred moving average with edge reflection; NaNs (after divergence) stay NaN."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 3:
        return values
    window = min(window, len(values) - (1 - len(values) % 2))
    half = window // 2
    padded = np.pad(np.nan_to_num(values, nan=0.0), half, mode="reflect")
    smoothed = np.convolve(padded, np.ones(window) / window, mode="valid")
    smoothed[~np.isfinite(values)] = np.nan
    return smoothed


def band(ax, x, runs: np.ndarray, label=None, **style) -> None:
    """Mean of ``runs`` (repeats, points) as a line, with a min-max band when repeats > 1."""
    runs = np.asarray(runs, dtype=np.float64).reshape(-1, len(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns after divergence
        mean = np.nanmean(runs, axis=0)
        low, high = np.nanmin(runs, axis=0), np.nanmax(runs, axis=0)
    (line,) = ax.plot(x, mean, label=label, **style)
    if len(runs) > 1:
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)


def plain_log_ticks(axis) -> None:
    """Log-axis ticks as plain numbers (0.1, 0.02, 1e-05); over less than three decades the
    2 and 5 between the powers of ten are labelled too."""

    def label(value, _position, minor: bool) -> str:
        low, high = sorted(axis.get_view_interval())
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        if minor and (mantissa not in (2, 5) or high / max(low, 1e-300) > 1e3):
            return ""
        return f"{value:g}"

    axis.set_major_formatter(FuncFormatter(lambda v, p: label(v, p, minor=False)))
    axis.set_minor_formatter(FuncFormatter(lambda v, p: label(v, p, minor=True)))


def class_balance(meta: dict, t) -> Figure:
    """Samples per class in the training and test splits."""
    names = [class_label(t, name) for name in meta["class_names"]]
    counts = meta["class_counts"]
    fig = Figure(figsize=PANEL)
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(x - 0.2, counts["train"], width=0.4, label=t("train"))
    ax.bar(x + 0.2, counts["test"], width=0.4, label=t("test"))
    slanted = max(map(len, names)) > 2  # names, not digits: slanted so they do not overlap
    ax.set_xticks(
        x, names, rotation=40 if slanted else 0, ha="right" if slanted else "center", fontsize=6.5
    )
    ax.set(ylabel=t("samples"), title=meta["title"])
    ax.set_ylim(top=max(counts["train"]) * 1.3)  # room for the legend above the bars
    ax.legend(loc="upper center", ncols=2)
    fig.tight_layout()
    return fig


def sample_grid(images: np.ndarray, labels: np.ndarray, image_shape, rows: int = 10) -> Figure:
    """A rows x 10 grid: one column per class, the first ``rows`` images of that class."""
    classes = np.unique(labels)[:10]
    fig = Figure(figsize=(0.55 * len(classes), 0.55 * rows))
    axes = fig.subplots(rows, len(classes), squeeze=False)
    for col, cls in enumerate(classes):
        picks = np.flatnonzero(labels == cls)[:rows]
        for row in range(rows):
            ax = axes[row, col]
            ax.set_axis_off()
            if row < len(picks):
                ax.imshow(images[picks[row]].reshape(image_shape), cmap="gray_r")
    fig.subplots_adjust(0, 0, 1, 1, 0.05, 0.05)
    return fig


def feature_profiles(features: np.ndarray, labels: np.ndarray, class_names) -> Figure:
    """For flat feature vectors (no image to show): each class's mean feature value."""
    fig = Figure(figsize=PANEL)
    ax = fig.subplots()
    for index, name in enumerate(class_names[:10]):
        rows = features[labels == index]
        if len(rows):
            style = "-" if index < 5 else "--"
            ax.plot(rows.mean(axis=0), style, lw=1, label=name)
    ax.set(xlabel="feature", ylabel="mean value")
    ax.legend(fontsize="x-small", ncols=5)
    fig.tight_layout()
    return fig


def figure_names(experiment, settings: dict) -> list[str]:
    """The figures (file stems under figures/) an experiment's result is drawn as."""
    return experiment.figures.figure_names(experiment.name, settings)


def draw(experiment, name: str, record: dict, arrays: dict, title: str, t) -> Figure:
    """Figure ``name`` of ``experiment``; ``t`` translates its labels."""
    return experiment.figures.draw(name, record, arrays, title, t)


def fixed_figures(figures: dict):
    """``figure_names`` and ``draw`` (the figures protocol, ``nnreport.experiments.spec``) of a
    unit whose figures are a fixed mapping: name -> function(record, arrays, title, t)."""

    def names(experiment: str, settings: dict) -> list[str]:
        return list(figures)

    def draw_one(name: str, record: dict, arrays: dict, title: str, t) -> Figure:
        return figures[name](record, arrays, title, t)

    return names, draw_one


def use_language(lang: str) -> None:
    """Hangul needs a CJK font: koreanize-matplotlib ships NanumGothic and selects it."""
    if lang == "ko":
        import koreanize_matplotlib  # noqa: F401  (sets rcParams on import)

        # Latin letters, digits and the minus sign (NanumGothic has no U+2212, which log-axis
        # ticks use) from DejaVu Sans; Hangul falls back to NanumGothic.
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", "NanumGothic"]


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` as SVG or PNG (by the file's suffix), atomically and reproducibly."""
    kind = Path(path).suffix.lstrip(".")
    metadata = {"Date": None} if kind == "svg" else {}
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=kind, dpi=DPI, metadata=metadata))
