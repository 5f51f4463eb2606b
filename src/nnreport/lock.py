"""Whether the installed packages are the exact versions of the lock file.

``requirements.lock`` pins nnreport's dependencies and test extras for Linux x86_64 and the
Python version CI runs (``uv pip compile pyproject.toml --extra test -o requirements.lock``);
``pyproject.toml`` keeps lower bounds only. The report's provenance says whether a build ran
on the locked versions, and names the packages that differ.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

LOCK_FILE = "requirements.lock"

# "name==version", optionally with extras, a marker, hashes or a comment after it.
_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\#]+)")


def locked_versions(text: str) -> dict[str, str]:
    """Package name as written -> pinned version, for every ``name==version`` line.

    Comments, options (``-e``, ``--hash``) and continuation lines are skipped; environment
    markers are not evaluated (the lock is made for one platform and has none).
    """
    pins = {}
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def locked_status(root: Path) -> dict:
    """Compare the installed versions with ``root/requirements.lock``.

    Returns ``{"lock_file": "requirements.lock", "found": bool, "locked": bool,
    "mismatches": [(package, locked_version, installed_version or None), ...]}``:
    ``locked`` is true when the file exists and every pinned package is installed at its
    pinned version; ``mismatches`` is sorted by package name.
    """
    path = Path(root) / LOCK_FILE
    if not path.is_file():
        return {"lock_file": LOCK_FILE, "found": False, "locked": False, "mismatches": []}
    mismatches = []
    for package, version in sorted(locked_versions(path.read_text(encoding="utf-8")).items()):
        installed = installed_version(package)
        if installed != version:
            mismatches.append((package, version, installed))
    return {
        "lock_file": LOCK_FILE,
        "found": True,
        "locked": not mismatches,
        "mismatches": mismatches,
    }
