"""The prepared cache: each dataset read once into an npz of ``uint8`` pixels plus the factor
that maps them into [0, 1] (lossless and a quarter of the float32 size), and a JSON file of
metadata; :func:`load_prepared` returns the float32 arrays the experiments use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnreport.results import load_arrays, load_json, save_arrays, save_json


@dataclass(frozen=True)
class Dataset:
    """A prepared dataset: float32 features in [0, 1], shape (n, features); int64 labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    meta: dict

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.meta["class_names"])


def prepare(
    name: str,
    out_npz: str | Path,
    out_json: str | Path,
    data_dir: str | None = None,
    allow_download: bool = True,
    custom: dict | None = None,
) -> dict:
    """Read dataset ``name`` from its source and write the canonical cache; return metadata.

    ``custom`` is the config's ``custom_datasets`` mapping. Everything is read and validated
    before the cache files are written (each atomically).
    """
    from nnreport.data import read_dataset

    raw = read_dataset(name, data_dir, allow_download, custom)
    arrays = {k: raw[k] for k in ("x_train", "y_train", "x_test", "y_test", "scale")}
    meta = {
        "name": name,
        **raw["meta"],
        "n_train": int(len(raw["x_train"])),
        "n_test": int(len(raw["x_test"])),
        "n_features": int(raw["x_train"].shape[1]),
        "class_counts": {
            split: np.bincount(
                raw[f"y_{split}"], minlength=len(raw["meta"]["class_names"])
            ).tolist()
            for split in ("train", "test")
        },
        "scale": float(raw["scale"]),
        "cache_file": Path(out_npz).name,
        "cache_sha256": save_arrays(out_npz, arrays),
    }
    save_json(out_json, meta)
    return meta


def load_prepared(npz_path: str | Path, json_path: str | Path | None = None) -> Dataset:
    """Load a prepared cache as float32 (in [0, 1] for pixels), checked against its metadata."""
    npz_path = Path(npz_path)
    json_path = Path(json_path) if json_path else npz_path.with_suffix(".json")
    meta = load_json(json_path)
    arrays = load_arrays(npz_path, meta.get("cache_sha256"))
    scale = np.float32(arrays["scale"])
    return Dataset(
        name=meta["name"],
        x_train=arrays["x_train"].astype(np.float32) * scale,
        y_train=arrays["y_train"].astype(np.int64),
        x_test=arrays["x_test"].astype(np.float32) * scale,
        y_test=arrays["y_test"].astype(np.int64),
        meta=meta,
    )
