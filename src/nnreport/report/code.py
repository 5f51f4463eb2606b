"""The code under review: functions extracted from the installed source with ``inspect``,
with file, line range and git commit, highlighted by Pygments (inline styles, so the HTML
stays self-contained)."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import pprint
import subprocess
import textwrap
from functools import cache
from pathlib import Path

import yaml
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer

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


def extract(spec: str) -> dict:
    """Source, location and highlighted HTML of one reviewed function."""
    obj = resolve(spec)
    lines, start = inspect.getsourcelines(obj)
    source = textwrap.dedent("".join(lines))  # a method keeps its body's indentation
    path = Path(inspect.getsourcefile(obj)).resolve()
    return {
        "name": spec.partition(":")[2],
        "file": f"src/nnreport/{path.relative_to(PACKAGE_ROOT)}",
        "lines": f"{start}–{start + len(lines) - 1}",
        "commit": git_commit(),
        "source": source,
        "html": Markup(highlight(source, PythonLexer(), FORMATTER)),
    }


def reviewed_code(specs) -> list[dict]:
    """The reviewed functions, given as ``module:qualname`` relative to ``nnreport``."""
    return [extract(spec) for spec in specs]


def loader_diff(dataset: str, custom: dict | None = None) -> dict:
    """The dataset's loading code, and a unified diff of it against MNIST's; ``custom`` is
    the config's ``custom_datasets``."""
    from nnreport import data

    def loader_text(name: str) -> tuple[str, str]:
        function = data.loader_function(name, custom)
        if name not in data.IDX_DATASETS:
            text = inspect.getsource(function)
            if custom and name in custom:
                declared = yaml.safe_dump(custom[name], sort_keys=False, allow_unicode=True)
                text += f"\n# custom_datasets[{name!r}] in the config\n{declared}"
            return text, function.__name__
        spec = data.IDX_DATASETS[name]
        fields = pprint.pformat(dataclasses.asdict(spec), width=90, sort_dicts=False)
        text = inspect.getsource(data.load_idx_dataset) + f"\n# IDX_DATASETS[{name!r}]\n{fields}\n"
        return text, f"load_idx_dataset + IDX_DATASETS[{name!r}]"

    mnist, mnist_name = loader_text("mnist")
    mine, my_name = loader_text(dataset)
    diff = "".join(difflib.unified_diff(
        mnist.splitlines(keepends=True), mine.splitlines(keepends=True),
        fromfile=mnist_name, tofile=my_name))  # fmt: skip
    return {
        "code": Markup(highlight(mine, PythonLexer(), FORMATTER)),
        "diff": Markup(highlight(diff, DiffLexer(), FORMATTER)) if diff else None,
        "commit": git_commit(),
    }
