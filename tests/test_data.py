"""Dataset loading: offline IDX copies, checksums, digits split, cache round trip, errors."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from nnreport import UserError, data


@pytest.fixture(scope="module")
def digits_cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("digits")
    data.prepare("digits", folder / "digits.npz", folder / "digits.json")
    return folder / "digits.npz"


def test_digits_split_is_stratified_80_20(digits_cache):
    ds = data.load_prepared(digits_cache)
    assert (len(ds.x_train), len(ds.x_test)) == (1437, 360)
    assert ds.x_train.shape[1] == 64 and ds.x_train.dtype == np.float32
    assert ds.x_train.min() == 0 and ds.x_train.max() == 1.0  # value / 16
    train_share = np.bincount(ds.y_train) / len(ds.y_train)
    test_share = np.bincount(ds.y_test) / len(ds.y_test)
    assert np.max(np.abs(train_share - test_share)) < 0.01


def test_digits_split_is_reproducible(digits_cache, tmp_path):
    data.prepare("digits", tmp_path / "again.npz", tmp_path / "again.json")
    first, second = data.load_prepared(digits_cache), data.load_prepared(tmp_path / "again.npz")
    assert np.array_equal(first.y_test, second.y_test)
    assert np.array_equal(first.x_train, second.x_train)


@pytest.mark.parametrize(
    ("name", "first_labels", "class_0"),
    [("mnist", [5, 0, 4, 1, 9, 2, 1, 3, 1, 4], "0"), ("fashion_mnist", None, "T-shirt/top")],
)
def test_idx_datasets_from_the_offline_folder(data_dir, tmp_path, name, first_labels, class_0):
    meta = data.prepare(name, tmp_path / "d.npz", tmp_path / "d.json", allow_download=False)
    ds = data.load_prepared(tmp_path / "d.npz")
    assert ds.x_train.shape == (60000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_train.dtype == np.float32 and 0 <= ds.x_train.min() and ds.x_train.max() == 1
    assert meta["class_names"][0] == class_0 and len(meta["class_names"]) == 10
    assert set(meta["checksums"].values()) == set(data.IDX_DATASETS[name].sha256.values())
    if first_labels:
        assert ds.y_train[:10].tolist() == first_labels


def copy_mnist(data_dir, target):
    shutil.copytree(data_dir / "mnist", target / "mnist")
    return target / "mnist"


def rewrite_gz(path, change):
    with gzip.open(path, "rb") as handle:
        payload = bytearray(handle.read())
    change(payload)
    path.chmod(0o644)
    with gzip.open(path, "wb") as handle:
        handle.write(bytes(payload))


def test_checksum_mismatch_names_the_file(data_dir, tmp_path):
    folder = copy_mnist(data_dir, tmp_path / "data")
    rewrite_gz(
        folder / "t10k-labels-idx1-ubyte.gz", lambda p: p.__setitem__(100, (p[100] + 1) % 10)
    )
    with pytest.raises(UserError, match="t10k-labels-idx1-ubyte.gz.*SHA-256"):
        data.prepare("mnist", tmp_path / "m.npz", tmp_path / "m.json", str(tmp_path / "data"))
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "m.json").exists()


def test_magic_mismatch_names_the_file(data_dir, tmp_path):
    folder = copy_mnist(data_dir, tmp_path / "data")
    rewrite_gz(folder / "train-images-idx3-ubyte.gz", lambda p: p.__setitem__(3, 0x01))
    with pytest.raises(UserError, match="train-images-idx3-ubyte.gz.*magic"):
        data.prepare("mnist", tmp_path / "m.npz", tmp_path / "m.json", str(tmp_path / "data"))


def test_missing_files_error_names_files_folders_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(UserError) as err:
        data.prepare("mnist", tmp_path / "m.npz", tmp_path / "m.json", allow_download=False)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "nowhere" / "mnist") in message
    assert data.DATA_DIR_ENV in message
    assert not list(tmp_path.glob("m.*"))


def test_unknown_dataset_on_the_command_line(tmp_path):
    result = subprocess.run(
        ["nnreport", "prepare", "--dataset", "cifar10", "--out", str(tmp_path / "c.npz")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Unknown dataset 'cifar10'" in result.stderr
    assert "mnist, fashion_mnist, digits" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_datasets_command_prints_the_table(tmp_path):
    result = subprocess.run(
        ["nnreport", "datasets", "--dataset", "digits", "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    header, row = result.stdout.splitlines()[:2]
    assert header.split()[:3] == ["name", "title", "train/test"]
    assert "1437/360" in row and "8x8" in row and "sklearn.datasets.load_digits" in row


def test_cache_tampering_is_detected(digits_cache, tmp_path):
    copy = tmp_path / "digits.npz"
    shutil.copy(digits_cache, copy)
    shutil.copy(digits_cache.with_suffix(".json"), copy.with_suffix(".json"))
    raw = bytearray(copy.read_bytes())
    raw[-200] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(UserError, match="digits.npz.*checksum"):
        data.load_prepared(copy)


# --- custom datasets (config key custom_datasets), built in tmp_path ---------------------

IMAGE_SHAPE = (12, 10)
META_KEYS = ["name", "title", "class_names", "image_shape", "source", "n_train", "n_test"]
META_KEYS += ["n_features", "class_counts", "scale", "cache_file", "cache_sha256"]
SPLIT_OF = {"x_train": "train_images", "y_train": "train_labels"}
SPLIT_OF |= {"x_test": "test_images", "y_test": "test_labels"}


def tiny_split(n_train=30, n_test=10, classes=5, seed=0, shape=IMAGE_SHAPE, dtype=np.uint8):
    """Random images (or vectors, if ``shape`` has one entry) with labels 0..classes-1."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, *shape)).astype(dtype),
        "y_train": np.arange(n_train) % classes,
        "x_test": rng.integers(0, 256, (n_test, *shape)).astype(dtype),
        "y_test": np.arange(n_test) % classes,
    }


def write_idx(folder, **changes):
    """Write the four gzip'd IDX files of ``tiny_split()`` (with ``changes``); return payloads."""
    split = tiny_split() | changes
    folder.mkdir(parents=True, exist_ok=True)
    payloads = {}
    for key, idx_key in SPLIT_OF.items():
        magic = data.IMAGE_MAGIC if key.startswith("x") else data.LABEL_MAGIC
        payloads[idx_key] = data.idx_payload(split[key], magic)
        with gzip.open(folder / data.IDX_FILES[idx_key], "wb") as handle:
            handle.write(payloads[idx_key])
    return payloads


def write_npz(path, **changes):
    """Write an npz of flat float features (7 per sample, labels 0..2) with ``changes``."""
    rng = np.random.default_rng(1)
    split = {
        "x_train": rng.normal(size=(20, 7)),
        "y_train": np.arange(20) % 3,
        "x_test": rng.normal(size=(6, 7)),
        "y_test": np.arange(6) % 3,
    } | changes
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **{k: v for k, v in split.items() if v is not None})
    return split


def sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """Point $NNREPORT_DATA_DIR at an empty folder so only the test's own paths count."""
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "empty-env"))


def test_custom_idx_dataset_prepares_and_loads(tmp_path, no_env):
    payloads = write_idx(tmp_path / "store" / "tiny")
    names = ["a", "b", "c", "d", "e", "f"]
    custom = {
        "tiny": {
            "format": "idx",
            "path": "tiny",
            "title": "Tiny",
            "class_names": names,
            "sha256": {"test_labels": sha(payloads["test_labels"])},
        }
    }
    meta = data.prepare(
        "tiny", tmp_path / "d.npz", tmp_path / "d.json", str(tmp_path / "store"), custom=custom
    )
    ds = data.load_prepared(tmp_path / "d.npz")
    split = tiny_split()
    assert ds.x_train.shape == (30, 120) and ds.x_test.shape == (10, 120)
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() <= 1
    assert np.allclose(ds.x_train * 255, split["x_train"].reshape(30, -1))
    assert ds.y_test.tolist() == split["y_test"].tolist()
    assert meta["image_shape"] == [12, 10] and meta["class_names"] == names
    assert (meta["source"], meta["format"], meta["title"]) == ("tiny", "idx", "Tiny")
    assert meta["checksums"] == {
        data.IDX_FILES[k].removesuffix(".gz"): sha(v) for k, v in payloads.items()
    }
    assert meta["class_counts"]["train"] == [6, 6, 6, 6, 6, 0]
    assert ds.n_classes == 6 and ds.meta == meta


def test_custom_npz_flat_float_features_are_used_as_given(tmp_path, no_env):
    split = write_npz(tmp_path / "arrays" / "flat.npz")
    file_sha = sha((tmp_path / "arrays" / "flat.npz").read_bytes())
    custom = {"flat": {"format": "npz", "path": "arrays/flat.npz", "sha256": {"file": file_sha}}}
    meta = data.prepare(
        "flat", tmp_path / "f.npz", tmp_path / "f.json", str(tmp_path), custom=custom
    )
    ds = data.load_prepared(tmp_path / "f.npz")
    assert np.array_equal(ds.x_train, split["x_train"].astype(np.float32))
    assert meta["image_shape"] is None and meta["scale"] == 1.0 and meta["n_features"] == 7
    assert meta["class_names"] == ["0", "1", "2"] and meta["title"] == "flat"
    assert meta["source"] == "arrays/flat.npz" and meta["checksums"] == {"flat.npz": file_sha}
    assert list(meta) == [*META_KEYS[:5], "checksums", "format", *META_KEYS[5:]]


def test_custom_npz_integer_images_are_scaled_like_pixels(tmp_path, no_env):
    split = tiny_split(dtype=np.int64)
    write_npz(tmp_path / "img.npz", **split)
    custom = {"img": {"format": "npz", "path": str(tmp_path / "img.npz")}}
    meta = data.prepare("img", tmp_path / "i.npz", tmp_path / "i.json", custom=custom)
    ds = data.load_prepared(tmp_path / "i.npz")
    assert meta["image_shape"] == [12, 10] and meta["class_names"] == list("01234")
    assert np.allclose(ds.x_test * 255, split["x_test"].reshape(10, -1))
    assert np.load(tmp_path / "i.npz")["x_train"].dtype == np.uint8


def test_relative_path_lookup_order(tmp_path, monkeypatch):
    """data_dir, then $NNREPORT_DATA_DIR, then the working directory; ~ is expanded."""
    for root, n_test in (("arg", 6), ("env", 7), ("cwd", 8), ("home", 9)):
        write_npz(
            tmp_path / root / "sets" / "s.npz",
            x_test=np.zeros((n_test, 7)),
            y_test=np.zeros(n_test, dtype=int),
        )
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "env"))
    custom = {"s": {"format": "npz", "path": "sets/s.npz"}}

    def n_test(data_dir=None, path="sets/s.npz"):
        custom["s"]["path"] = path
        return data.prepare("s", tmp_path / "s.npz", tmp_path / "s.json", data_dir, custom=custom)[
            "n_test"
        ]

    assert n_test(str(tmp_path / "arg")) == 6
    assert n_test() == 7
    assert n_test(str(tmp_path / "nothing-here")) == 7
    monkeypatch.delenv(data.DATA_DIR_ENV)
    assert n_test() == 8
    assert n_test(str(tmp_path / "arg"), path="~/sets/s.npz") == 9
    assert n_test(path=str(tmp_path / "arg" / "sets" / "s.npz")) == 6


def test_source_files_of_custom_datasets(tmp_path, no_env):
    write_idx(tmp_path / "tiny")
    write_npz(tmp_path / "a.npz")
    custom = {
        "tiny": {"format": "idx", "path": "tiny"},
        "arr": {"format": "npz", "path": "a.npz"},
        "gone": {"format": "npz", "path": "gone.npz"},
    }
    files = data.source_files("tiny", str(tmp_path), custom=custom)
    assert files == [str(tmp_path.resolve() / "tiny" / f) for f in data.IDX_FILES.values()]
    assert data.source_files("arr", str(tmp_path), custom) == [str(tmp_path.resolve() / "a.npz")]
    assert data.source_files("gone", str(tmp_path), custom) == []
    (tmp_path / "tiny" / data.IDX_FILES["test_labels"]).unlink()
    assert data.source_files("tiny", str(tmp_path), custom) == []


def test_loader_function_and_check_name(tmp_path):
    custom = {"tiny": {"format": "idx", "path": "t"}, "arr": {"format": "npz", "path": "a.npz"}}
    assert data.loader_function("mnist") is data.load_idx_dataset
    assert data.loader_function("digits", custom) is data.load_digits_dataset
    assert data.loader_function("tiny", custom) is data.load_custom_idx
    assert data.loader_function("arr", custom) is data.load_custom_npz
    data.check_name("arr", custom)
    with pytest.raises(UserError, match="mnist, fashion_mnist, digits.*tiny, arr"):
        data.check_name("cifar10", custom)
    with pytest.raises(UserError, match="Unknown dataset 'cifar10'"):
        data.prepare("cifar10", tmp_path / "c.npz", tmp_path / "c.json", custom=custom)
    assert not list(tmp_path.iterdir())


def idx_case(**changes):
    def make(root):
        payloads = write_idx(root / "tiny", **changes)
        return {"format": "idx", "path": "tiny"}, payloads

    return make


def npz_case(**changes):
    def make(root):
        write_npz(root / "bad.npz", **changes)
        return {"format": "npz", "path": "bad.npz"}, None

    return make


def declare(make, **extra):
    def build(root):
        decl, payloads = make(root)
        return decl | extra, payloads

    return build


def missing_idx_file(root):
    decl, payloads = idx_case()(root)
    (root / "tiny" / data.IDX_FILES["train_labels"]).unlink()
    return decl, payloads


def pickled_npz(root):
    x = np.array([{"pixel": 1}] * 20, dtype=object)
    return npz_case(x_train=x)(root)


BAD_INPUTS = {
    "missing npz": (
        lambda root: ({"format": "npz", "path": "sets/none.npz"}, None),
        r"'sets/none.npz'.*not found.*sets/none.npz.*data_dir.*NNREPORT_DATA_DIR",
    ),
    "missing idx folder": (
        lambda root: ({"format": "idx", "path": "nofolder"}, None),
        r"'nofolder'.*not found.*nofolder.*data_dir.*NNREPORT_DATA_DIR",
    ),
    "npz where idx folder expected": (
        lambda root: (npz_case()(root)[0] | {"format": "idx"}, None),
        r"bad.npz.*not a folder",
    ),
    "idx file missing": (missing_idx_file, r"tiny.*lacks train-labels-idx1-ubyte.gz"),
    "idx shape mismatch": (
        idx_case(y_train=np.zeros(29, dtype=np.uint8)),
        r"train-images-idx3-ubyte.gz holds 30 samples.*train-labels-idx1-ubyte.gz holds 29",
    ),
    "idx train/test image sizes differ": (
        idx_case(x_test=np.zeros((10, 12, 11), dtype=np.uint8)),
        r"train-images-idx3-ubyte.gz has samples of shape \(12, 10\).*t10k-images.*\(12, 11\)",
    ),
    "idx label beyond class_names": (
        declare(idx_case(), class_names=["a", "b", "c"]),
        r"train-labels-idx1-ubyte.gz holds the label 4.*class_names lists only 3",
    ),
    "idx sha256 mismatch": (
        declare(idx_case(), sha256={"train_images": "0" * 64}),
        r"train-images-idx3-ubyte.gz has SHA-256 [0-9a-f]{64} after decompression.*"
        r"custom_datasets.bad.sha256.train_images",
    ),
    "npz sha256 mismatch": (
        declare(npz_case(), sha256={"file": "1" * 64}),
        r"bad.npz has SHA-256.*custom_datasets.bad.sha256.file",
    ),
    "npz sha256 key of the other format": (
        declare(npz_case(), sha256={"train_images": "1" * 64}),
        r"custom_datasets.bad.sha256 has the key\(s\) train_images",
    ),
    "npz pickled array": (pickled_npz, r"bad.npz holds pickled"),
    "npz missing key": (npz_case(y_test=None), r"bad.npz lacks the array\(s\) y_test"),
    "npz length mismatch": (
        npz_case(y_train=np.zeros(19, dtype=int)),
        r"bad.npz \(array x_train\) holds 20 samples.*\(array y_train\) holds 19 labels",
    ),
    "npz feature mismatch": (
        npz_case(x_test=np.zeros((6, 8))),
        r"bad.npz \(array x_train\) has samples of shape \(7,\).*\(8,\)",
    ),
    "npz negative label": (
        npz_case(y_test=np.array([0, 1, -1, 2, 0, 1])),
        r"bad.npz \(array y_test\) holds the negative label -1",
    ),
    "npz float labels": (
        npz_case(y_train=np.zeros(20)),
        r"bad.npz \(array y_train\) must hold one integer label",
    ),
    "npz channel axis": (
        npz_case(x_train=np.zeros((20, 4, 4, 1)), x_test=np.zeros((6, 4, 4, 1))),
        r"bad.npz \(array x_train\) has shape \(20, 4, 4, 1\)",
    ),
    "npz non-finite": (
        npz_case(x_test=np.full((6, 7), np.nan)),
        r"bad.npz \(array x_test\) holds 42 NaN",
    ),
    "npz integers beyond 255": (
        npz_case(x_train=np.full((20, 7), 300), x_test=np.zeros((6, 7), dtype=int)),
        r"bad.npz \(array x_train\) holds integers from 300 to 300",
    ),
    "npz mixed dtypes": (
        npz_case(x_train=np.zeros((20, 7), dtype=np.uint8)),
        r"bad.npz, x_train has dtype uint8 but x_test has float64",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=str)
def test_bad_custom_input_is_a_user_error_and_writes_nothing(case, tmp_path, no_env):
    make, pattern = BAD_INPUTS[case]
    decl, _ = make(tmp_path / "store")
    custom = {"bad": decl}
    cache = tmp_path / "cache"
    with pytest.raises(UserError) as err:
        data.prepare(
            "bad", cache / "b.npz", cache / "b.json", str(tmp_path / "store"), custom=custom
        )
    assert re.search(pattern, str(err.value), re.DOTALL), str(err.value)
    assert "\n" not in str(err.value)
    assert not cache.exists()


def test_the_report_names_the_data_folder_not_the_readers_path(tmp_path, monkeypatch):
    from nnreport.data import display_source

    monkeypatch.setenv("NNREPORT_DATA_DIR", str(tmp_path / "env"))
    assert display_source(tmp_path / "env" / "mnist", None) == "$NNREPORT_DATA_DIR/mnist"
    assert display_source(tmp_path / "mine" / "mnist", str(tmp_path / "mine")) == "data_dir/mnist"
