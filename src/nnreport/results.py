"""Result records: one JSON file plus an optional npz of arrays, written atomically.

The JSON holds scalars, lists and the SHA-256 of its npz; arrays never go through pickle.
NaN/Inf are not valid JSON, so they are refused (``allow_nan=False``); experiments store
``None`` plus a ``status`` field instead.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nnreport import UserError

ARRAYS_KEY = "arrays_file"
ARRAYS_SHA_KEY = "arrays_sha256"


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it into place.

    A crash or a kill leaves no file at ``path`` that a later run could take for finished.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def to_jsonable(value: Any) -> Any:
    """Turn numpy scalars/arrays into plain Python; non-finite floats become ``None``."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_json(path: str | Path, data: dict) -> None:
    text = json.dumps(to_jsonable(data), indent=1, allow_nan=False, sort_keys=False)
    atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def missing(path: str | Path) -> UserError:
    return UserError(f"The result file {path} does not exist. Rerun the pipeline.")


def corrupted(path: str | Path, problem: str) -> UserError:
    """The error for a damaged result file, which is first moved aside to ``<name>.corrupt``
    (kept for a look): its job's output is then missing, so the next run regenerates it."""
    path = Path(path)
    aside = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, aside)
        action = f"It was moved to {aside}; run the pipeline again to regenerate it."
    except OSError:
        action = "Delete it and run the pipeline again to regenerate it."
    return UserError(f"The result file {path} {problem}. {action}")


def load_json(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise missing(path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise corrupted(path, f"is not valid JSON ({err}): it is truncated or corrupted") from None
    if not isinstance(data, dict):
        raise corrupted(path, "does not hold a JSON object")
    return data


def save_arrays(path: str | Path, arrays: dict[str, np.ndarray]) -> str:
    """Write ``arrays`` as an uncompressed npz (atomically); return its SHA-256."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)

    atomic_write(path, write)
    return sha256_file(path)


def load_arrays(path: str | Path, expected_sha256: str | None = None) -> dict[str, np.ndarray]:
    """Read an npz without pickle, checking its SHA-256 when one is given."""
    path = Path(path)
    if not path.is_file():
        raise missing(path)
    if expected_sha256 is not None and sha256_file(path) != expected_sha256:
        raise corrupted(
            path, "does not match the checksum recorded with it: it is truncated or corrupted"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as err:
        raise corrupted(path, f"holds pickled objects, which nnreport refuses ({err})") from None
    except (OSError, EOFError, KeyError) as err:
        raise corrupted(path, f"cannot be read ({err})") from None


def save_record(json_path: str | Path, record: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write a result: arrays to ``<stem>.npz`` first, then the JSON that names and hashes it."""
    json_path = Path(json_path)
    npz_path = json_path.with_suffix(".npz")
    record = dict(record)
    record[ARRAYS_KEY] = npz_path.name
    record[ARRAYS_SHA_KEY] = save_arrays(npz_path, arrays)
    save_json(json_path, record)


def load_record(json_path: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a result written by :func:`save_record`, verifying the npz checksum."""
    json_path = Path(json_path)
    record = load_json(json_path)
    name = record.get(ARRAYS_KEY)
    if name is None:
        return record, {}
    arrays = load_arrays(json_path.parent / name, record.get(ARRAYS_SHA_KEY))
    return record, arrays
