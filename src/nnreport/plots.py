"""Figures from result records. Each function returns a matplotlib Figure; nothing global.

With several repeats, curves show the mean and a shaded min-max band.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from nnreport.results import atomic_write  # noqa: E402

DPI = 110


def smooth(values: np.ndarray, window: int = 19) -> np.ndarray:
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


def loss_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Smoothed training loss per arm against the iteration (optimizers, weight_init)."""
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    loss = arrays["loss"]  # (repeats, iterations, arms)
    steps = np.arange(loss.shape[1])
    for index, label in enumerate(record["arms"]):
        band(ax, steps, [smooth(run[:, index]) for run in loss], label=label, linewidth=1.2)
    finite = loss[np.isfinite(loss)]
    if finite.size:
        ax.set_ylim(0, min(float(np.percentile(finite, 99.5)) * 1.05, 2.6))
    ax.set(xlabel=t("plot_iteration"), ylabel=t("plot_loss_smoothed"), title=title)
    ax.grid(alpha=0.3)
    ax.legend(ncols=2, fontsize="small")
    fig.tight_layout()
    return fig


def accuracy_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Train and test accuracy per epoch (overfit, weight_decay, dropout)."""
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    epochs = np.arange(arrays["train_acc"].shape[1])
    band(ax, epochs, arrays["train_acc"], label=t("train"), marker="o", markevery=10, markersize=3)
    band(ax, epochs, arrays["test_acc"], label=t("test"), marker="s", markevery=10, markersize=3)
    ax.set(xlabel=t("plot_epoch"), ylabel=t("plot_accuracy"), ylim=(0, 1.0), title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def batch_norm_grid(record: dict, arrays: dict, title: str, t) -> Figure:
    """One panel per weight scale: training accuracy with and without batch norm."""
    acc = arrays["train_acc"]  # (repeats, epochs, variant, scales)
    scales = record["scales"]
    cols = math.ceil(math.sqrt(len(scales)))
    rows = math.ceil(len(scales) / cols)
    fig = Figure(figsize=(1.9 * cols, 1.6 * rows + 0.5))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    epochs = np.arange(acc.shape[1])
    for i, ax in enumerate(axes.flat):
        if i >= len(scales):
            ax.set_axis_off()
            continue
        band(ax, epochs, acc[:, :, 1, i], label=t("with_bn"), linewidth=1.2)
        band(ax, epochs, acc[:, :, 0, i], label=t("without_bn"), linestyle="--", linewidth=1.0)
        ax.set_title(f"w = {scales[i]:.2g}", fontsize=8)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=6, loc="upper left")
    fig.suptitle(title, fontsize=10)
    fig.supxlabel(t("plot_epoch"), fontsize=8)
    fig.supylabel(t("plot_train_accuracy"), fontsize=8)
    fig.tight_layout()
    return fig


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
                ax.set_ylabel(record["inits"][r], fontsize=8)
    fig.suptitle(f"{title}: {activation}", fontsize=10)
    fig.tight_layout()
    return fig


def toy_paths(record: dict, arrays: dict, title: str, t) -> Figure:
    """Each optimizer's path over the contour lines of f(x, y) = x^2/20 + y^2."""
    paths = arrays["paths"]
    cols = min(len(paths), 2)
    rows = math.ceil(len(paths) / cols)
    fig = Figure(figsize=(3.3 * cols, 2.6 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    x, y = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    z = x**2 / 20 + y**2
    for i, ax in enumerate(axes.flat):
        if i >= len(paths):
            ax.set_axis_off()
            continue
        ax.contour(x, y, z, levels=np.geomspace(0.05, 30, 12), colors="0.7", linewidths=0.6)
        ax.plot(paths[i, :, 0], paths[i, :, 1], "o-", color="tab:red", markersize=2.5, lw=1)
        ax.plot(0, 0, "+", color="k")
        ax.set(xlim=(-10, 10), ylim=(-5, 5), title=record["arms"][i])
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def hparam_best_grid(record: dict, arrays: dict, title: str, t) -> Figure:
    """Validation (solid) and training (dashed) accuracy of the last stage's best trials."""
    stage = record["stages"][-1]
    best = [i for i in stage["ranking"] if stage["trials"][i]["status"] == "ok"]
    best = best[: len(stage["best"])]
    val = arrays[f"stage{stage['stage']}_val_acc"]  # (repeats, trials, epochs)
    train = arrays[f"stage{stage['stage']}_train_acc"]
    cols = 5
    rows = max(1, math.ceil(len(best) / cols))
    fig = Figure(figsize=(1.6 * cols, 1.3 * rows + 0.5))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    epochs = np.arange(val.shape[-1])
    for n, ax in enumerate(axes.flat):
        if n >= len(best):
            ax.set_axis_off()
            continue
        band(ax, epochs, val[:, best[n]], linewidth=1.1)
        band(ax, epochs, train[:, best[n]], linestyle="--", linewidth=0.9)
        ax.set_title(f"Best-{n + 1}", fontsize=7)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=6)
    fig.suptitle(t("plot_best_title", title=title, stage=stage["stage"]), fontsize=9)
    fig.tight_layout()
    return fig


def hparam_scatter(record: dict, arrays: dict, title: str, t) -> Figure:
    """Every trial of every stage: lr vs weight decay, coloured by validation accuracy."""
    fig = Figure(figsize=(6.0, 4.2))
    ax = fig.subplots()
    markers = "os^Dv"
    points = None
    for stage in record["stages"]:
        ok = [tr for tr in stage["trials"] if tr["status"] == "ok"]
        bad = [tr for tr in stage["trials"] if tr["status"] != "ok"]
        points = ax.scatter(
            [tr["lr"] for tr in ok], [tr["weight_decay"] for tr in ok],
            c=[tr["val_acc"] for tr in ok], cmap="viridis", vmin=0, vmax=1,
            marker=markers[stage["stage"] % len(markers)], s=22, edgecolors="k",
            linewidths=0.3, label=t("plot_stage", stage=stage["stage"]),
        )  # fmt: skip
        if bad:
            ax.scatter(
                [tr["lr"] for tr in bad], [tr["weight_decay"] for tr in bad], marker="x",
                color="tab:red", s=20, label=t("plot_stage_diverged", stage=stage["stage"]),
            )  # fmt: skip
        box = stage["best_range"]
        (lr_low, lr_high), (wd_low, wd_high) = box["lr"], box["weight_decay"]
        ax.add_patch(
            Rectangle((lr_low, wd_low), lr_high - lr_low, wd_high - wd_low, fill=False, ls="--")
        )
    ax.set(xscale="log", yscale="log", xlabel=t("plot_lr"), ylabel=t("weight_decay"), title=title)
    if points is not None:
        fig.colorbar(points, ax=ax, label=t("val_accuracy"))
    ax.legend(fontsize="x-small", loc="best")
    fig.tight_layout()
    return fig


def gradient_diffs(record: dict, arrays: dict, title: str, t) -> Figure:
    """Largest |backprop - numerical| per parameter array, on a log axis."""
    rows = record["rows"]
    fig = Figure(figsize=(6.0, 3.0))
    ax = fig.subplots()
    ax.bar([r["param"] for r in rows], [max(r["max_abs_diff"], 1e-20) for r in rows])
    ax.set(yscale="log", ylabel=t("plot_grad_diff"), title=title)
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    fig.tight_layout()
    return fig


def tf_accuracy_strip(record: dict, arrays: dict, title: str, t) -> Figure:
    """Final test accuracy of every run by arm: a box per arm with the runs as dots
    (diverged runs as red crosses at the bottom)."""
    fig = Figure(figsize=(6.0, 3.6))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # horizontal jitter only
    for x, arm in enumerate(record["arms"], start=1):
        runs = [r for r in record["runs"] if r["arm"] == arm]
        acc = np.array([r["test_acc"] for r in runs if r["status"] == "ok"], dtype=np.float64)
        if acc.size:
            ax.boxplot(acc, positions=[x], widths=0.5, showfliers=False)
            ax.scatter(x + rng.uniform(-0.12, 0.12, acc.size), acc, s=16, zorder=3, alpha=0.8)
        diverged = sum(r["status"] != "ok" for r in runs)
        if diverged:
            ax.scatter([x] * diverged, [0.0] * diverged, marker="x", color="tab:red", zorder=3,
                       label=t("diverged") if x == 1 else None)  # fmt: skip
    ax.axhline(0.9, color="gray", ls=":", lw=1)
    ax.set_xticks(range(1, len(record["arms"]) + 1), record["arms"])
    ax.set(ylabel=t("test_accuracy"), ylim=(0, 1.0), title=title)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def tf_cost_curves(record: dict, arrays: dict, title: str, t) -> Figure:
    """Average cost per epoch of every run, one colour per arm."""
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    cost = arrays["cost"]  # (runs, epochs)
    epochs = np.arange(1, cost.shape[1] + 1)
    for index, arm in enumerate(record["arms"]):
        color = f"C{index}"
        rows = [i for i, r in enumerate(record["runs"]) if r["arm"] == arm]
        for n, i in enumerate(rows):
            ax.plot(epochs, cost[i], color=color, lw=1, alpha=0.7, label=arm if n == 0 else None)
    ax.set(xlabel=t("plot_epoch"), ylabel=t("plot_cost"), yscale="log", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def class_balance(meta: dict, t) -> Figure:
    """Samples per class in the training and test splits."""
    names = meta["class_names"]
    counts = meta["class_counts"]
    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.bar(x - 0.2, counts["train"], width=0.4, label=t("train"))
    ax.bar(x + 0.2, counts["test"], width=0.4, label=t("test"))
    ax.set_xticks(x, names, rotation=30 if max(map(len, names)) > 2 else 0, fontsize=7)
    ax.set(ylabel=t("samples"), title=meta["title"])
    ax.legend(fontsize="small")
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


DRAW = {
    "optimizers": loss_curves,
    "weight_init": loss_curves,
    "batch_norm": batch_norm_grid,
    "overfit": accuracy_curves,
    "weight_decay": accuracy_curves,
    "dropout": accuracy_curves,
    "hparam_search-best": hparam_best_grid,
    "hparam_search-scatter": hparam_scatter,
    "gradient_check": gradient_diffs,
    "toy_optimizers": toy_paths,
    "tf_mlp-accuracy": tf_accuracy_strip,
    "tf_mlp-cost": tf_cost_curves,
}


def figure_names(experiment: str, settings: dict) -> list[str]:
    """The figures an experiment's result is drawn as (file stems under figures/)."""
    if experiment == "activations":
        return [f"activations-{a}" for a in settings["activations"]]
    return [name for name in DRAW if name.split("-")[0] == experiment]


def use_language(lang: str) -> None:
    """Hangul needs a CJK font: koreanize-matplotlib ships NanumGothic and selects it."""
    if lang == "ko":
        import koreanize_matplotlib  # noqa: F401  (sets rcParams on import)


def draw(name: str, record: dict, arrays: dict, title: str, t) -> Figure:
    """Figure ``name`` of an experiment; ``t`` translates its labels."""
    experiment, _, variant = name.partition("-")
    if experiment == "activations":
        return activation_grid(record, arrays, title, t, variant)
    return DRAW[name](record, arrays, title, t)


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` as PNG, atomically."""
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
