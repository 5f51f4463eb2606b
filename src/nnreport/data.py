"""Dataset registry and loaders: IDX files (MNIST, Fashion-MNIST), scikit-learn digits, and
datasets declared in the config under ``custom_datasets`` (an IDX folder or an npz file).

Every dataset is prepared once into a canonical cache: an npz of ``uint8`` pixels plus the
factor that maps them into [0, 1] (lossless and a quarter of the float32 size), and a JSON
file of metadata. :func:`load_prepared` returns the float32 arrays the experiments use.
Float features of a custom npz dataset are stored as float32 with factor 1: used as given.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnreport import UserError
from nnreport.results import load_arrays, load_json, save_arrays, save_json, sha256_file

log = logging.getLogger(__name__)

DATA_DIR_ENV = "NNREPORT_DATA_DIR"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
SPLIT_KEYS = {  # cache array -> IDX file key
    "x_train": "train_images",
    "y_train": "train_labels",
    "x_test": "test_images",
    "y_test": "test_labels",
}
IMAGE_MAGIC, LABEL_MAGIC = 0x00000803, 0x00000801
DIGITS_SPLIT_SEED = 0


@dataclass(frozen=True)
class IdxSpec:
    """Where an IDX dataset lives and what its uncompressed payloads must hash to."""

    title: str
    subfolder: str
    keras_name: str
    class_names: tuple[str, ...]
    sha256: dict[str, str]
    extra_dirs: tuple[Path, ...] = ()

    def checksum_error(self, path: Path, key: str, digest: str) -> UserError:
        return UserError(
            f"{path} has SHA-256 {digest} after decompression, but the published "
            f"{self.title} file has {self.sha256[key]}. The file is corrupted or a "
            "different dataset; replace it with the original download."
        )


IDX_DATASETS = {
    "mnist": IdxSpec(
        title="MNIST",
        subfolder="mnist",
        keras_name="mnist",
        class_names=tuple(str(d) for d in range(10)),
        sha256={
            "train_images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train_labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "test_images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "test_labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
    ),
    "fashion_mnist": IdxSpec(
        title="Fashion-MNIST",
        subfolder="fashion-mnist",
        keras_name="fashion_mnist",
        class_names=(
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),  # fmt: skip
        sha256={
            "train_images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train_labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "test_images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "test_labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
        extra_dirs=(DEBIAN_FASHION_DIR,),
    ),
}
BUILTIN_NAMES = (*IDX_DATASETS, "digits")
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


def check_name(name: str, custom: dict | None = None) -> None:
    """Raise a UserError unless ``name`` is built in or declared in ``custom``."""
    if name in BUILTIN_NAMES or name in (custom or {}):
        return
    declared = f"; declared in `custom_datasets`: {', '.join(custom)}" if custom else ""
    raise UserError(
        f"Unknown dataset {name!r}. nnreport knows these datasets: "
        f"{', '.join(BUILTIN_NAMES)}{declared}. Fix the name in the config key `datasets` "
        "(or the --dataset option), or declare it under `custom_datasets`, and run again."
    )


def custom_spec(name: str, custom: dict | None) -> CustomSpec:
    """The declaration of custom dataset ``name``, checked beyond what the schema can say."""
    check_name(name, custom)
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


def check_sha256(spec: IdxSpec | CustomSpec, key: str, path: Path, digest: str) -> None:
    """Compare ``digest`` with the checksum ``spec`` declares for ``key``, if it declares one."""
    expected = spec.sha256.get(key)
    if expected is not None and digest != expected:
        raise spec.checksum_error(path, key, digest)


# --- IDX -------------------------------------------------------------------------------


def parse_idx(payload: bytes, magic: int, source: str) -> np.ndarray:
    """Decode an uncompressed IDX payload of unsigned bytes (LeCun's format)."""
    ndim = 3 if magic == IMAGE_MAGIC else 1
    header = 4 + 4 * ndim
    if len(payload) < header or struct.unpack(">I", payload[:4])[0] != magic:
        raise UserError(
            f"{source} is not an IDX file of the expected kind (magic number 0x{magic:08x} "
            "missing). Replace it with the original file."
        )
    dims = struct.unpack(f">{ndim}I", payload[4:header])
    if len(payload) - header != int(np.prod(dims)):
        raise UserError(
            f"{source} holds {len(payload) - header} bytes of data but its header announces "
            f"shape {dims}. The file is truncated or corrupted; replace it."
        )
    return np.frombuffer(payload, dtype=np.uint8, offset=header).reshape(dims)


def idx_payload(array: np.ndarray, magic: int) -> bytes:
    """Encode uint8 ``array`` as an IDX payload (used to checksum keras' copies)."""
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


def search_roots(data_dir: str | None) -> list[Path]:
    """The data folders in lookup order: ``data_dir``, then $NNREPORT_DATA_DIR (if set)."""
    roots = (data_dir, os.environ.get(DATA_DIR_ENV))
    return [Path(root).expanduser().resolve() for root in roots if root]


def display_source(folder: Path, data_dir: str | None) -> str:
    """``folder`` as the report shows it: relative to the data folder it was found in
    (``data_dir/…`` or ``$NNREPORT_DATA_DIR/…``), never the reader's absolute path."""
    for label, root in (("data_dir", data_dir), (f"${DATA_DIR_ENV}", os.environ.get(DATA_DIR_ENV))):
        if root and folder.is_relative_to(resolved := Path(root).expanduser().resolve()):
            return f"{label}/{folder.relative_to(resolved).as_posix()}"
    return str(folder)


def candidate_dirs(spec: IdxSpec, data_dir: str | None) -> list[Path]:
    return [*(root / spec.subfolder for root in search_roots(data_dir)), *spec.extra_dirs]


def read_idx_dir(
    spec: IdxSpec | CustomSpec, folder: Path
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read the four IDX files in ``folder``, checking the checksums ``spec`` declares."""
    arrays, checksums = {}, {}
    for key, filename in IDX_FILES.items():
        path = folder / filename
        try:
            with gzip.open(path, "rb") as handle:
                payload = handle.read()
        except (OSError, EOFError) as err:
            raise UserError(
                f"{path} cannot be decompressed ({err}). It is truncated or not a gzip file; "
                "replace it with the original download."
            ) from None
        magic = IMAGE_MAGIC if key.endswith("images") else LABEL_MAGIC
        arrays[key] = parse_idx(payload, magic, str(path))
        checksums[filename.removesuffix(".gz")] = digest = hashlib.sha256(payload).hexdigest()
        check_sha256(spec, key, path, digest)
    return arrays, checksums


def read_keras(spec: IdxSpec) -> tuple[dict[str, np.ndarray], dict[str, str]] | None:
    """Fall back to ``keras.datasets`` (needs a network the first time); None if it fails."""
    try:
        import keras

        module = getattr(keras.datasets, spec.keras_name)
        (x_train, y_train), (x_test, y_test) = module.load_data()
    except Exception as err:  # noqa: BLE001 - any failure means "not available here"
        log.info("keras.datasets.%s unavailable: %s", spec.keras_name, err)
        return None
    arrays = {
        "train_images": x_train,
        "train_labels": y_train,
        "test_images": x_test,
        "test_labels": y_test,
    }
    checksums = {}
    for key, array in arrays.items():
        magic = IMAGE_MAGIC if key.endswith("images") else LABEL_MAGIC
        digest = hashlib.sha256(idx_payload(array, magic)).hexdigest()
        checksums[IDX_FILES[key].removesuffix(".gz")] = digest
        if digest != spec.sha256[key]:
            raise UserError(
                f"keras.datasets.{spec.keras_name} returned {key} with SHA-256 {digest}, not "
                f"the published {spec.sha256[key]}. Clear ~/.keras/datasets and retry."
            )
    return arrays, checksums


def load_idx_dataset(name: str, data_dir: str | None, allow_download: bool) -> dict:
    spec = IDX_DATASETS[name]
    searched = candidate_dirs(spec, data_dir)
    for folder in searched:
        if all((folder / f).is_file() for f in IDX_FILES.values()):
            arrays, checksums = read_idx_dir(spec, folder)
            source = display_source(folder, data_dir)
            break
    else:
        found = read_keras(spec) if allow_download else None
        if found is None:
            where = ", ".join(str(d) for d in searched) or "(none configured)"
            raise UserError(
                f"The {spec.title} files {', '.join(IDX_FILES.values())} were not found. "
                f"Folders searched: {where}. keras.datasets could not download them either "
                f"(no network{'' if allow_download else ', or downloads disabled'}). Set the "
                f"environment variable {DATA_DIR_ENV} (or the config key `data_dir`) to a "
                f"folder whose `{spec.subfolder}/` subfolder holds these files."
            )
        arrays, checksums = found
        source = f"keras.datasets.{spec.keras_name}"
    n_train, n_test = len(arrays["train_images"]), len(arrays["test_images"])
    return {
        "x_train": arrays["train_images"].reshape(n_train, -1),
        "y_train": arrays["train_labels"],
        "x_test": arrays["test_images"].reshape(n_test, -1),
        "y_test": arrays["test_labels"],
        "scale": np.float32(1 / 255),
        "meta": {
            "title": spec.title,
            "class_names": list(spec.class_names),
            "image_shape": list(arrays["train_images"].shape[1:]),
            "source": source,
            "checksums": checksums,
        },
    }


def source_files(name: str, data_dir: str | None = None, custom: dict | None = None) -> list[str]:
    """The local files dataset ``name`` would be read from (empty if none are found)."""
    if name not in BUILTIN_NAMES and name in (custom or {}):
        spec = custom_spec(name, custom)
        found = next((p for p in custom_candidates(spec, data_dir) if p.exists()), None)
        paths = custom_files(spec, found) if found else []
        return [str(p) for p in paths] if paths and all(p.is_file() for p in paths) else []
    spec = IDX_DATASETS.get(name)
    for folder in candidate_dirs(spec, data_dir) if spec else []:
        paths = [folder / f for f in IDX_FILES.values()]
        if all(p.is_file() for p in paths):
            return [str(p) for p in paths]
    return []


# --- scikit-learn digits --------------------------------------------------------------


def load_digits_dataset() -> dict:
    """8x8 digits, values 0..16; stratified 80/20 split with a fixed seed (1437 / 360)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data.astype(np.uint8)
    y = digits.target.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=DIGITS_SPLIT_SEED
    )
    payload = x.tobytes() + y.tobytes()
    return {
        "x_train": x_train,
        "y_train": y_train,
        "x_test": x_test,
        "y_test": y_test,
        "scale": np.float32(1 / 16),
        "meta": {
            "title": "scikit-learn digits",
            "class_names": [str(d) for d in range(10)],
            "image_shape": [8, 8],
            "source": "sklearn.datasets.load_digits",
            "checksums": {"load_digits data+target": hashlib.sha256(payload).hexdigest()},
            "split": f"stratified 80/20, random_state={DIGITS_SPLIT_SEED}",
        },
    }


# --- custom datasets (config key custom_datasets) -----------------------------------------


def custom_candidates(spec: CustomSpec, data_dir: str | None) -> list[Path]:
    """Where the declared path may be: as given if absolute, else under each data folder."""
    path = Path(spec.path).expanduser()
    if path.is_absolute():
        return [path]
    return [(root / path).resolve() for root in [*search_roots(data_dir), Path.cwd()]]


def custom_files(spec: CustomSpec, found: Path) -> list[Path]:
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


# --- cache ----------------------------------------------------------------------------


def read_dataset(
    name: str, data_dir: str | None, allow_download: bool, custom: dict | None
) -> dict:
    """Read and validate dataset ``name`` from its source; nothing is written."""
    check_name(name, custom)
    if name == "digits":
        return load_digits_dataset()
    if name in IDX_DATASETS:
        return load_idx_dataset(name, data_dir, allow_download)
    spec = custom_spec(name, custom)
    return CUSTOM_LOADERS[spec.format](spec, data_dir)


def loader_function(name: str, custom: dict | None = None) -> Callable[..., dict]:
    """The function that reads dataset ``name`` from its source (the report shows its code)."""
    check_name(name, custom)
    if name == "digits":
        return load_digits_dataset
    if name in IDX_DATASETS:
        return load_idx_dataset
    return CUSTOM_LOADERS[custom_spec(name, custom).format]


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
