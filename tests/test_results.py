"""Result files: atomic writes, no NaN in JSON, no pickle in npz, checksums."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnreport import UserError
from nnreport.results import atomic_write, load_record, save_json, save_record, to_jsonable


def test_record_round_trip(tmp_path):
    arrays = {"loss": np.arange(6, dtype=np.float32).reshape(3, 2)}
    save_record(tmp_path / "r.json", {"a": np.float32(0.5), "b": [np.int64(3)]}, arrays)
    record, loaded = load_record(tmp_path / "r.json")
    assert record["a"] == 0.5 and record["b"] == [3]
    assert np.array_equal(loaded["loss"], arrays["loss"])


def test_non_finite_floats_become_null():
    assert to_jsonable({"x": [1.0, float("nan"), np.float32("inf")]}) == {"x": [1.0, None, None]}


def test_failed_write_leaves_nothing(tmp_path):
    def explode(tmp):
        tmp.write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "out.json", explode)
    assert list(tmp_path.iterdir()) == []


def test_truncated_json_is_reported(tmp_path):
    save_json(tmp_path / "r.json", {"a": 1})
    (tmp_path / "r.json").write_text('{"a": ')
    with pytest.raises(UserError, match="r.json.*truncated or corrupted.*moved to"):
        load_record(tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()  # the next run regenerates it
    assert (tmp_path / "r.json.corrupt").read_text() == '{"a": '


def test_corrupted_npz_is_reported(tmp_path):
    save_record(tmp_path / "r.json", {}, {"x": np.ones(100)})
    npz = tmp_path / "r.npz"
    npz.write_bytes(npz.read_bytes()[:-40])
    with pytest.raises(UserError, match="r.npz.*checksum"):
        load_record(tmp_path / "r.json")
    assert not npz.exists() and (tmp_path / "r.npz.corrupt").is_file()


def test_pickled_npz_is_refused(tmp_path):
    np.savez(tmp_path / "r.npz", x=np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "r.json").write_text(json.dumps({"arrays_file": "r.npz"}))
    with pytest.raises(UserError, match="pickled"):
        load_record(tmp_path / "r.json")


def test_missing_npz_is_named(tmp_path):
    save_record(tmp_path / "r.json", {}, {"x": np.ones(3)})
    (tmp_path / "r.npz").unlink()
    with pytest.raises(UserError, match="r.npz does not exist"):
        load_record(tmp_path / "r.json")
