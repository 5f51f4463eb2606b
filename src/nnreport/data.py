"""Dataset registry and loaders: IDX files (MNIST, Fashion-MNIST), scikit-learn digits.

Every dataset is prepared once into a canonical cache: an npz of ``uint8`` pixels plus the
factor that maps them into [0, 1] (lossless and a quarter of the float32 size), and a JSON
file of metadata. :func:`load_prepared` returns the float32 arrays the experiments use.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnreport import UserError
from nnreport.results import load_arrays, load_json, save_arrays, save_json

log = logging.getLogger(__name__)

DATA_DIR_ENV = "NNREPORT_DATA_DIR"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
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
DATASET_NAMES = (*IDX_DATASETS, "digits")


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


def check_name(name: str) -> None:
    if name not in DATASET_NAMES:
        raise UserError(
            f"Unknown dataset {name!r}. nnreport knows these datasets: "
            f"{', '.join(DATASET_NAMES)}. Fix the name in the config key `datasets` "
            "(or the --dataset option) and run again."
        )


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


def candidate_dirs(spec: IdxSpec, data_dir: str | None) -> list[Path]:
    dirs = []
    if data_dir:
        dirs.append(Path(data_dir).expanduser().resolve() / spec.subfolder)
    if os.environ.get(DATA_DIR_ENV):
        dirs.append(Path(os.environ[DATA_DIR_ENV]).expanduser().resolve() / spec.subfolder)
    dirs.extend(spec.extra_dirs)
    return dirs


def read_idx_dir(spec: IdxSpec, folder: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
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
        if digest != spec.sha256[key]:
            raise UserError(
                f"{path} has SHA-256 {digest} after decompression, but the published "
                f"{spec.title} file has {spec.sha256[key]}. The file is corrupted or a "
                "different dataset; replace it with the original download."
            )
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
            source = str(folder)
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


def source_files(name: str, data_dir: str | None = None) -> list[str]:
    """The local IDX files dataset ``name`` would be read from (empty if none are found)."""
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


# --- cache ----------------------------------------------------------------------------


def prepare(
    name: str, out_npz: str | Path, out_json: str | Path, data_dir=None, allow_download=True
) -> dict:
    """Read dataset ``name`` from its source and write the canonical cache; return metadata."""
    check_name(name)
    raw = (
        load_digits_dataset()
        if name == "digits"
        else load_idx_dataset(name, data_dir, allow_download)
    )
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
    """Load a prepared cache as float32 in [0, 1], checking it against its metadata."""
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
