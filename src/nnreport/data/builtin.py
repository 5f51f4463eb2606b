"""The built-in datasets, as data: MNIST and Fashion-MNIST (IDX files, searched in the data
folders, else downloaded by ``keras.datasets``) and scikit-learn's digits (shipped with
scikit-learn). :data:`BUILTIN` maps a config name to its source."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnreport import UserError
from nnreport.data.folders import DATA_DIR_ENV, display_source, search_roots
from nnreport.data.idx import IDX_FILES, IMAGE_MAGIC, LABEL_MAGIC, idx_payload, read_idx_dir

log = logging.getLogger(__name__)

DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
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
        ),
        sha256={
            "train_images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train_labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "test_images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "test_labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
        extra_dirs=(DEBIAN_FASHION_DIR,),
    ),
}


def candidate_dirs(spec: IdxSpec, data_dir: str | None) -> list[Path]:
    return [*(root / spec.subfolder for root in search_roots(data_dir)), *spec.extra_dirs]


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


def idx_files(name: str, data_dir: str | None) -> list[str]:
    """The local files IDX dataset ``name`` would be read from (empty if none are found)."""
    for folder in candidate_dirs(IDX_DATASETS[name], data_dir):
        paths = [folder / f for f in IDX_FILES.values()]
        if all(p.is_file() for p in paths):
            return [str(p) for p in paths]
    return []


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


@dataclass(frozen=True)
class Builtin:
    """A built-in dataset: its title, the function that reads it (the report prints it) and
    the local files it is read from (replacing one reruns the dataset)."""

    title: str
    read: Callable[[str | None, bool], dict]  # (data_dir, allow_download) -> raw arrays
    loader: Callable[..., dict]
    files: Callable[[str | None], list[str]] = lambda data_dir: []


def idx_builtin(name: str) -> Builtin:
    return Builtin(
        title=IDX_DATASETS[name].title,
        read=lambda data_dir, allow: load_idx_dataset(name, data_dir, allow),
        loader=load_idx_dataset,
        files=lambda data_dir: idx_files(name, data_dir),
    )


BUILTIN = {
    **{name: idx_builtin(name) for name in IDX_DATASETS},
    "digits": Builtin(
        title="scikit-learn digits",
        read=lambda data_dir, allow: load_digits_dataset(),
        loader=load_digits_dataset,
    ),
}
