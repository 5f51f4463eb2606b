"""Dataset loading: offline IDX copies, checksums, digits split, cache round trip, errors."""

from __future__ import annotations

import gzip
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
