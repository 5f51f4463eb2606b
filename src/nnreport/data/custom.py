"""Datasets declared in the config under ``custom_datasets``: an IDX folder or an npz file,
checked before anything is written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnreport import UserError
from nnreport.data.folders import DATA_DIR_ENV, search_roots
from nnreport.data.idx import IDX_FILES, SPLIT_KEYS, check_sha256, read_idx_dir
from nnreport.results import sha256_file

CUSTOM_SHA_KEYS = {"idx": tuple(IDX_FILES), "npz": ("file",)}
CUSTOM_NEEDS = {
    "idx": f"a folder holding the four gzip'd IDX files {', '.join(IDX_FILES.values())}",
    "npz": f"one .npz file with the arrays {', '.join(SPLIT_KEYS)}",
}


@dataclass(frozen=True)
class CustomSpec:
    """A dataset declared in the config under ``custom_datasets``."""

    name: str
    format: str
    path: str
    title: str
    class_names: tuple[str, ...] | None
    sha256: dict[str, str]

    @property
    def key(self) -> str:
        """Where the declaration sits in the config, for error messages."""
        return f"custom_datasets.{self.name}"

    def checksum_error(self, path: Path, key: str, digest: str) -> UserError:
        after = " after decompression" if self.format == "idx" else ""
        return UserError(
            f"{path} has SHA-256 {digest}{after}, but the config declares {self.sha256[key]} "
            f"({self.key}.sha256.{key}). The file is corrupted or not the one the config "
            "means; replace it, or update the declared checksum if the file changed on purpose."
        )


def custom_spec(name: str, custom: dict) -> CustomSpec:
    """The declaration of custom dataset ``name``, checked beyond what the schema can say."""
    decl, key = custom[name], f"custom_datasets.{name}"
    fmt, path, sha256 = decl.get("format"), decl.get("path"), dict(decl.get("sha256") or {})
    if fmt not in CUSTOM_SHA_KEYS:
        raise UserError(f"{key}.format is {fmt!r}; set it to idx or npz in the config.")
    if not isinstance(path, str) or not path:
        raise UserError(f"{key}.path is missing; set it to {CUSTOM_NEEDS[fmt]}.")
    unknown = sorted(set(sha256) - set(CUSTOM_SHA_KEYS[fmt]))
    if unknown:
        raise UserError(
            f"{key}.sha256 has the key(s) {', '.join(unknown)}, which format {fmt} does not "
            f"use, so they would never be checked. Use {', '.join(CUSTOM_SHA_KEYS[fmt])}."
        )
    names = decl.get("class_names")
    return CustomSpec(
        name=name,
        format=fmt,
        path=path,
        title=decl.get("title") or name,
        class_names=tuple(str(c) for c in names) if names else None,
        sha256={k: str(v).lower() for k, v in sha256.items()},
    )


def custom_candidates(spec: CustomSpec, data_dir: str | None) -> list[Path]:
    """Where the declared path may be: as given if absolute, else under each data folder."""
    path = Path(spec.path).expanduser()
    if path.is_absolute():
        return [path]
    return [(root / path).resolve() for root in [*search_roots(data_dir), Path.cwd()]]


def files_of(spec: CustomSpec, found: Path) -> list[Path]:
    """The files a custom dataset is read from, given its located folder or file."""
    return [found / f for f in IDX_FILES.values()] if spec.format == "idx" else [found]


def locate_custom(spec: CustomSpec, data_dir: str | None) -> Path:
    """The first existing candidate for the declared path, or a UserError saying where we looked."""
    searched = custom_candidates(spec, data_dir)
    found = next((p for p in searched if p.exists()), None)
    kind = "folder" if spec.format == "idx" else "file"
    if found is None:
        raise UserError(
            f"The {kind} {spec.path!r} of custom dataset {spec.name!r} ({spec.key}.path) was "
            f"not found. Paths searched: {', '.join(map(str, searched))}. A relative path is "
            f"looked up under the config key `data_dir`, then ${DATA_DIR_ENV}, then the working "
            "directory; fix the path or point `data_dir` or "
            f"{DATA_DIR_ENV} at the folder that holds it."
        )
    if found.is_dir() != (spec.format == "idx"):
        raise UserError(
            f"{found} ({spec.key}.path) is not a {kind}, but format {spec.format} needs "
            f"{CUSTOM_NEEDS[spec.format]}. Fix `path` or `format` in the config."
        )
    return found


def check_labels(spec: CustomSpec, y: np.ndarray, where: str) -> None:
    """Labels must be a 1-D integer array in 0 .. len(class_names) - 1."""
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise UserError(
            f"{where} must hold one integer label per sample (a 1-D integer array), but it has "
            f"shape {y.shape} and dtype {y.dtype}. Save the labels as integers 0, 1, ..."
        )
    low, high = int(y.min()), int(y.max())
    if low < 0:
        raise UserError(
            f"{where} holds the negative label {low}. Labels must be 0, 1, ... (one per "
            "class); renumber them and save the file again."
        )
    n_classes = len(spec.class_names) if spec.class_names else None
    if n_classes is not None and high >= n_classes:
        raise UserError(
            f"{where} holds the label {high}, but {spec.key}.class_names lists only "
            f"{n_classes} classes (labels 0..{n_classes - 1}). Add the missing class names "
            "to the config or fix the labels."
        )


def check_split(spec: CustomSpec, split: dict[str, np.ndarray], where: dict[str, str]) -> None:
    """Sample counts, train/test feature shapes and labels must agree."""
    for part in ("train", "test"):
        x, y = split[f"x_{part}"], split[f"y_{part}"]
        if y.ndim == 1 and len(x) != len(y):
            raise UserError(
                f"{where[f'x_{part}']} holds {len(x)} samples but {where[f'y_{part}']} holds "
                f"{len(y)} labels. Each sample needs exactly one label; fix the {part} split."
            )
        if len(x) == 0:
            raise UserError(
                f"{where[f'x_{part}']} holds no samples. Both splits need at least one; "
                f"add {part} data."
            )
        check_labels(spec, y, where[f"y_{part}"])
    train_shape, test_shape = split["x_train"].shape[1:], split["x_test"].shape[1:]
    if train_shape != test_shape:
        raise UserError(
            f"{where['x_train']} has samples of shape {train_shape} but {where['x_test']} has "
            f"{test_shape}. Train and test samples must have the same shape; fix one split."
        )


def custom_raw(
    spec: CustomSpec,
    split: dict[str, np.ndarray],
    where: dict[str, str],
    scale: float,
    checksums: dict[str, str],
) -> dict:
    """Validate the arrays of a custom dataset and shape them like the built-in loaders do."""
    check_split(spec, split, where)
    x_train = split["x_train"]
    high = int(max(split["y_train"].max(), split["y_test"].max()))
    return {
        **{key: split[key].astype(np.int64) for key in ("y_train", "y_test")},
        "x_train": x_train.reshape(len(x_train), -1),
        "x_test": split["x_test"].reshape(len(split["x_test"]), -1),
        "scale": np.float32(scale),
        "meta": {
            "title": spec.title,
            "class_names": list(spec.class_names or (str(i) for i in range(high + 1))),
            "image_shape": list(x_train.shape[1:]) if x_train.ndim == 3 else None,
            "source": spec.path,
            "checksums": checksums,
            "format": spec.format,
        },
    }


def load_custom_idx(spec: CustomSpec, data_dir: str | None = None) -> dict:
    """A declared folder of the four gzip'd IDX files; images may be any size h x w."""
    folder = locate_custom(spec, data_dir)
    missing = [f for f in IDX_FILES.values() if not (folder / f).is_file()]
    if missing:
        raise UserError(
            f"The folder {folder} of custom dataset {spec.name!r} lacks {', '.join(missing)}. "
            f"Format idx needs {CUSTOM_NEEDS['idx']}; add the missing files."
        )
    arrays, checksums = read_idx_dir(spec, folder)
    split = {key: arrays[idx_key] for key, idx_key in SPLIT_KEYS.items()}
    where = {key: str(folder / IDX_FILES[idx_key]) for key, idx_key in SPLIT_KEYS.items()}
    return custom_raw(spec, split, where, 1 / 255, checksums)


def npz_error(path: Path, err: Exception) -> UserError:
    """The UserError for an npz file numpy cannot read without pickle."""
    if isinstance(err, ValueError) and "allow_pickle" in str(err):
        return UserError(
            f"{path} holds pickled Python objects (an object array), which nnreport does not "
            "load because unpickling can run arbitrary code. Save plain numeric arrays, e.g. "
            "np.savez(path, x_train=np.asarray(x_train, dtype=np.float32), ...)."
        )
    return UserError(
        f"{path} cannot be read as an npz archive ({err}). It is truncated or not an npz "
        "file; write it again with np.savez."
    )


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The four split arrays of an npz file, read without pickle."""
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as err:
        raise npz_error(path, err) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise UserError(
            f"{path} is a single .npy array, not an npz archive. Save the four arrays "
            f"{', '.join(SPLIT_KEYS)} into one file with np.savez."
        )
    with npz:
        missing = [key for key in SPLIT_KEYS if key not in npz.files]
        if missing:
            raise UserError(
                f"{path} lacks the array(s) {', '.join(missing)} (it has: "
                f"{', '.join(npz.files) or 'none'}). Format npz needs {', '.join(SPLIT_KEYS)}; "
                "save them under these names."
            )
        try:
            return {key: npz[key] for key in SPLIT_KEYS}
        except (OSError, EOFError, ValueError, zipfile.BadZipFile) as err:
            raise npz_error(path, err) from None


def npz_features(x: np.ndarray, where: str) -> np.ndarray:
    """(n, h, w) images or (n, d) vectors as uint8 (integers in 0..255) or finite float32."""
    if x.ndim not in (2, 3):
        raise UserError(
            f"{where} has shape {x.shape}, but nnreport needs images (n, h, w) or feature "
            "vectors (n, d). Reshape it (e.g. drop a channel axis of size 1) and save again."
        )
    if np.issubdtype(x.dtype, np.integer):
        if x.size and (int(x.min()) < 0 or int(x.max()) > 255):
            raise UserError(
                f"{where} holds integers from {x.min()} to {x.max()}; integer features must be "
                "pixel values in 0..255. Rescale them, or save them as floats (used as given)."
            )
        return x.astype(np.uint8)
    if np.issubdtype(x.dtype, np.floating):
        with np.errstate(over="ignore"):
            x = x.astype(np.float32)
        bad = int(np.count_nonzero(~np.isfinite(x)))
        if bad:
            raise UserError(
                f"{where} holds {bad} NaN or infinite values (after conversion to float32). "
                "Replace or drop those samples and save the file again."
            )
        return x
    raise UserError(
        f"{where} has dtype {x.dtype}; features must be integers in 0..255 or floats. "
        "Convert the array and save the file again."
    )


def load_custom_npz(spec: CustomSpec, data_dir: str | None = None) -> dict:
    """A declared .npz with x_train, y_train, x_test, y_test (no pickle).

    Integer features (0..255) are scaled by 1/255 like pixels; float features are used as given.
    """
    path = locate_custom(spec, data_dir)
    digest = sha256_file(path)
    check_sha256(spec, "file", path, digest)
    arrays = read_npz(path)
    where = {key: f"{path} (array {key})" for key in SPLIT_KEYS}
    split = {
        **arrays,
        **{key: npz_features(arrays[key], where[key]) for key in ("x_train", "x_test")},
    }
    if split["x_train"].dtype != split["x_test"].dtype:
        raise UserError(
            f"In {path}, x_train has dtype {arrays['x_train'].dtype} but x_test has "
            f"{arrays['x_test'].dtype}: one would be scaled by 1/255 and the other not. Save "
            "both as integers 0..255 or both as floats."
        )
    scale = 1 / 255 if split["x_train"].dtype == np.uint8 else 1.0
    return custom_raw(spec, split, where, scale, {path.name: digest})


CUSTOM_LOADERS: dict[str, Callable[..., dict]] = {"idx": load_custom_idx, "npz": load_custom_npz}


def custom_files(name: str, data_dir: str | None, custom: dict) -> list[str]:
    """The local files declared dataset ``name`` is read from (empty if none are found)."""
    spec = custom_spec(name, custom)
    found = next((p for p in custom_candidates(spec, data_dir) if p.exists()), None)
    paths = files_of(spec, found) if found else []
    return [str(p) for p in paths] if paths and all(p.is_file() for p in paths) else []
