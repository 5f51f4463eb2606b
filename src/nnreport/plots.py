"""Figures from result records. Each function returns a matplotlib Figure; nothing global."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnreport.results import atomic_write  # noqa: E402

DPI = 110


def smooth(values: np.ndarray, window: int = 19) -> np.ndarray:
    """Centred moving average with edge reflection; NaNs (after divergence) stay NaN."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 3:
        return values
    window = min(window, len(values) - (1 - len(values) % 2))
    half = window // 2
    padded = np.pad(values, half, mode="reflect")
    smoothed = np.convolve(padded, np.ones(window) / window, mode="valid")
    smoothed[~np.isfinite(values)] = np.nan
    return smoothed


def optimizer_losses(record: dict, arrays: dict, title: str) -> Figure:
    """Smoothed training loss per optimizer against the iteration."""
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.subplots()
    loss = arrays["loss"]
    for index, label in enumerate(record["arms"]):
        ax.plot(smooth(loss[:, index]), label=label, linewidth=1.2)
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (smoothed)")
    ax.set_title(title)
    finite = loss[np.isfinite(loss)]
    if finite.size:
        ax.set_ylim(0, min(float(np.percentile(finite, 99.5)) * 1.05, 2.6))
    ax.grid(alpha=0.3)
    ax.legend(ncols=2, fontsize="small")
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


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` as PNG, atomically."""
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
