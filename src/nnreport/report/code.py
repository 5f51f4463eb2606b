"""The code under review: functions extracted from the installed source with ``inspect``,
with file, line range and git commit, highlighted by Pygments (inline styles, so the HTML
stays self-contained)."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import textwrap
from functools import cache
from pathlib import Path

import yaml
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

import nnreport

PACKAGE_ROOT = Path(nnreport.__file__).resolve().parent

FORMATTER = HtmlFormatter(noclasses=True, nowrap=True, style="friendly")


@cache
def git_commit() -> str:
    """The commit of the source tree (``+dirty`` with uncommitted changes), or "unknown"."""
    try:
        run = lambda *args: subprocess.run(  # noqa: E731
            ["git", *args], cwd=PACKAGE_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        commit = run("rev-parse", "--short=12", "HEAD")
        return commit + ("+dirty" if run("status", "--porcelain") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def resolve(spec: str):
    module_name, _, qualname = spec.partition(":")
    obj = importlib.import_module(f"nnreport.{module_name}")
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


FORMATTER_PRAGMA = re.compile(r"\s*# fmt: skip$", re.M)  # for ruff, not for the reader


def extract(spec: str) -> dict:
    """Source, location and highlighted HTML of one function, given as ``module:qualname``."""
    return listing(resolve(spec), spec.partition(":")[2])


def listing(obj, name: str, extra: str = "") -> dict:
    """Source (with ``extra`` appended), location and highlighted HTML of ``obj``."""
    lines, start = inspect.getsourcelines(obj)
    source = textwrap.dedent("".join(lines))  # a method keeps its body's indentation
    source = FORMATTER_PRAGMA.sub("", source) + extra
    path = Path(inspect.getsourcefile(obj)).resolve()
    return {
        "name": name,
        "file": f"src/nnreport/{path.relative_to(PACKAGE_ROOT)}",
        "lines": f"{start}–{start + len(lines) - 1}",
        "source": source,
        "html": Markup(highlight(source, PythonLexer(), FORMATTER)),
    }


def reviewed_code(specs) -> list[dict]:
    """The reviewed functions, given as ``module:qualname`` relative to ``nnreport``."""
    return [extract(spec) for spec in specs]


def loader_listing(datasets: list[str], titles: list[str], custom: dict | None = None) -> list:
    """The code that loads the datasets, each function once with the datasets it loads
    (``what``); ``custom`` is the config's ``custom_datasets`` (a declaration is listed with
    its function)."""
    from nnreport import data

    found: dict[str, dict] = {}
    for name, title in zip(datasets, titles, strict=True):
        function = data.loader_function(name, custom)
        extra = ""
        if name not in data.BUILTIN:
            declared = yaml.safe_dump(custom[name], sort_keys=False, allow_unicode=True)
            extra = f"\n# custom_datasets[{name!r}] in the config\n{declared}"
        key = function.__name__ if name in data.BUILTIN else name
        if key not in found:
            found[key] = {**listing(function, function.__name__, extra), "titles": []}
        found[key]["titles"].append(title)
    return list(found.values())
