"""Datasets: the built-in ones (:mod:`~nnreport.data.builtin`), those declared in the config
under ``custom_datasets`` (:mod:`~nnreport.data.custom`), the IDX format they share
(:mod:`~nnreport.data.idx`) and the prepared cache the experiments read
(:mod:`~nnreport.data.cache`).

Every dataset is prepared once into the cache; float features of a custom npz dataset are
stored as float32 with factor 1: used as given.
"""

from __future__ import annotations

from collections.abc import Callable

from nnreport import UserError
from nnreport.data.builtin import BUILTIN, IDX_DATASETS, load_digits_dataset, load_idx_dataset
from nnreport.data.cache import Dataset, load_prepared, prepare
from nnreport.data.custom import (
    CUSTOM_LOADERS,
    custom_files,
    custom_spec,
    load_custom_idx,
    load_custom_npz,
)
from nnreport.data.folders import DATA_DIR_ENV, display_source
from nnreport.data.idx import IDX_FILES, IMAGE_MAGIC, LABEL_MAGIC, idx_payload

BUILTIN_NAMES = tuple(BUILTIN)

__all__ = [
    "BUILTIN",
    "BUILTIN_NAMES",
    "DATA_DIR_ENV",
    "IDX_DATASETS",
    "IDX_FILES",
    "IMAGE_MAGIC",
    "LABEL_MAGIC",
    "Dataset",
    "check_name",
    "display_source",
    "idx_payload",
    "load_custom_idx",
    "load_custom_npz",
    "load_digits_dataset",
    "load_idx_dataset",
    "load_prepared",
    "loader_function",
    "prepare",
    "read_dataset",
    "source_files",
]


def check_name(name: str, custom: dict | None = None) -> None:
    """Raise a UserError unless ``name`` is built in or declared in ``custom``."""
    if name in BUILTIN or name in (custom or {}):
        return
    declared = f"; declared in `custom_datasets`: {', '.join(custom)}" if custom else ""
    raise UserError(
        f"Unknown dataset {name!r}. nnreport knows these datasets: "
        f"{', '.join(BUILTIN_NAMES)}{declared}. Fix the name in the config key `datasets` "
        "(or the --dataset option), or declare it under `custom_datasets`, and run again."
    )


def read_dataset(
    name: str, data_dir: str | None, allow_download: bool, custom: dict | None
) -> dict:
    """Read and validate dataset ``name`` from its source; nothing is written."""
    check_name(name, custom)
    if name in BUILTIN:
        return BUILTIN[name].read(data_dir, allow_download)
    spec = custom_spec(name, custom)
    return CUSTOM_LOADERS[spec.format](spec, data_dir)


def loader_function(name: str, custom: dict | None = None) -> Callable[..., dict]:
    """The function that reads dataset ``name`` from its source (the report shows its code)."""
    check_name(name, custom)
    if name in BUILTIN:
        return BUILTIN[name].loader
    return CUSTOM_LOADERS[custom_spec(name, custom).format]


def source_files(name: str, data_dir: str | None = None, custom: dict | None = None) -> list[str]:
    """The local files dataset ``name`` would be read from (empty if none are found)."""
    if name in BUILTIN:
        return BUILTIN[name].files(data_dir)
    if name in (custom or {}):
        return custom_files(name, data_dir, custom)
    return []
