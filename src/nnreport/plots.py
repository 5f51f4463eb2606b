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

from nnreport.results import atomic_write  # noqa: E402

DPI = 110
# One plot's size: the report shows a dataset's plot at a third of the page width (the
# datasets side by side, about 2.3 inches each), so a plot is drawn at about that size and its
# smallest text (6.5 pt) prints at 6 pt or more.
PANEL = (2.4, 1.75)
RASTER = frozenset({"samples"})  # image grids stay PNG; every plot is SVG (vector)

# Okabe–Ito colours, each with its own line style and marker, so that curves stay apart for
# colour-blind readers and in greyscale print; neighbours in the cycle never share a hue
# family (vermillion and orange are five apart). Markers sit a tenth of a line apart, each
# line's offset by its place in the cycle, so that overlapping curves do not hide them.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#56B4E9", "#E69F00"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
matplotlib.rcParams.update(
    {
        "axes.prop_cycle": matplotlib.cycler(
            color=COLOURS,
            linestyle=["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2))],
            marker=MARKERS,
            markevery=[(0.014 * i, 0.1) for i in range(len(COLOURS))],
        ),
        "lines.markersize": 3,
        "svg.hashsalt": "nnreport",  # stable ids: the same result gives the same file
        "axes.unicode_minus": False,  # NanumGothic has no U+2212 minus sign
        "font.size": 7,
        "axes.titlesize": 8,
        "axes.labelsize": 7,
        "legend.fontsize": 6.5,
        "xtick.labelsize": 6.5,
        "ytick.labelsize": 6.5,
        "figure.titlesize": 8,
        "figure.labelsize": 7,
    }
)


def panel(extra_height: float = 0.0) -> tuple[Figure, object]:
    """A one-plot figure of the panel size (``extra_height`` inches taller for a legend
    below); laid out by matplotlib's constrained layout."""
    fig = Figure(figsize=(PANEL[0], PANEL[1] + extra_height), layout="constrained")
    return fig, fig.subplots()


def legend_below(fig: Figure, ax, ncols: int = 2) -> None:
    """The legend under the plot, so it never covers a curve."""
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=ncols)


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


BAND_POINTS = 500  # more points than this add nothing at print size, only drawing time


def band(ax, x, runs: np.ndarray, label=None, **style) -> None:
    """Mean of ``runs`` (repeats, points) as a line, with a min-max band when repeats > 1;
    a long curve is drawn at about ``BAND_POINTS`` evenly spaced points, the last kept."""
    runs = np.asarray(runs, dtype=np.float64).reshape(-1, len(x))
    stride = -(-len(x) // BAND_POINTS)
    if stride > 1:
        keep = np.unique(np.r_[np.arange(0, len(x), stride), len(x) - 1])
        x, runs = np.asarray(x)[keep], runs[:, keep]
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
    """Samples per class in the training and test splits; the classes by number (the
    dataset table names them), so that no label crowds its neighbour."""
    counts = meta["class_counts"]
    fig, ax = panel(extra_height=0.2)
    x = np.arange(len(meta["class_names"]))
    ax.bar(x - 0.2, counts["train"], width=0.4, label=t("train"))
    ax.bar(x + 0.2, counts["test"], width=0.4, label=t("test"))
    ax.set_xticks(x, [str(i) for i in x])
    ax.set(xlabel=t("plot_class"), ylabel=t("samples"), title=meta["title"])
    legend_below(fig, ax)
    return fig


def sample_grid(images: np.ndarray, labels: np.ndarray, image_shape, rows: int = 5) -> Figure:
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
    fig, ax = panel(extra_height=0.4)
    for index, name in enumerate(class_names[:10]):
        rows = features[labels == index]
        if len(rows):
            style = "-" if index < 5 else "--"
            ax.plot(rows.mean(axis=0), style, lw=1, label=name)
    ax.set(xlabel="feature", ylabel="mean value")
    legend_below(fig, ax, ncols=5)
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
