"""LeCun's IDX format: the four gzip'd files of MNIST-like datasets, read and checked."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np

from nnreport import UserError

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


def read_idx_dir(spec, folder: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
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


def check_sha256(spec, key: str, path: Path, digest: str) -> None:
    """Compare ``digest`` with the checksum ``spec`` declares for ``key``, if it declares one
    (``spec``: a built-in or declared dataset, with ``sha256`` and ``checksum_error``)."""
    expected = spec.sha256.get(key)
    if expected is not None and digest != expected:
        raise spec.checksum_error(path, key, digest)
