"""Where data files are looked for: the config's ``data_dir``, then ``$NNREPORT_DATA_DIR``."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "NNREPORT_DATA_DIR"


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
