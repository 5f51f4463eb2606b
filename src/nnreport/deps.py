"""Source files a module depends on inside the nnreport package.

Snakemake does not see Python imports, so rules list these files as inputs: editing a module
an experiment imports reruns that experiment, and nothing else.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

PACKAGE = "nnreport"
ROOT = Path(__file__).resolve().parent


def _module_path(name: str) -> Path | None:
    """The file of module ``name`` (without importing it); None for a non-module name."""
    relative = Path(*name.split(".")[1:])
    for candidate in (ROOT / relative / "__init__.py", (ROOT / relative).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imported_names(path: Path, module: str) -> frozenset[str]:
    """nnreport modules imported by the file at ``path`` (at any depth of the file)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join(module.split(".")[: -node.level] + [node.module])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(n for n in names if n == PACKAGE or n.startswith(PACKAGE + "."))


def project_path(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies inside it, else absolute: a
    copy of the project folder then records the same rule inputs."""
    here, path = Path.cwd().resolve(), Path(path).absolute()
    return os.path.relpath(path, here) if path.is_relative_to(here) else str(path)


def module_files(module: str) -> tuple[str, ...]:
    """Sorted paths of ``module`` and every nnreport module it imports, transitively."""
    return tuple(project_path(p) for p in _module_paths(module))


@cache
def _module_paths(module: str) -> tuple[Path, ...]:
    seen: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = _module_path(name)
        if path is None:
            continue
        seen[name] = path
        pending.extend(_imported_names(path, name) - seen.keys())
        parent = name.rpartition(".")[0]
        if parent:
            pending.append(parent)  # importing a.b runs a/__init__.py
    return tuple(sorted(seen.values()))
