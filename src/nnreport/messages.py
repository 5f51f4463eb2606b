"""Message catalogs: every fixed string of the report and its figures, one YAML file per
language under ``templates/i18n/``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml

from nnreport import UserError
from nnreport.report.korean import ParticleFormatter

Translate = Callable[..., str]
FORMATTER = ParticleFormatter()  # str.format, plus Korean particles: "{arm:이/가}"


def load_messages(templates: str | Path, lang: str) -> Translate:
    """``t(key, **values)``: the catalog string for ``key``, formatted with ``values``;
    ``t.has(key)`` says whether the catalog has it."""
    path = Path(templates) / "i18n" / f"{lang}.yaml"
    try:
        catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"No message catalog {path} for report language {lang!r}.") from None

    def translate(key: str, **values) -> str:
        if key not in catalog:
            raise UserError(
                f"The message catalog {path} has no entry {key!r}. Every experiment needs its "
                "messages (title, intro, review note, captions, claims; docs/extending.md): add "
                "the entry and run again."
            )
        return FORMATTER.format(catalog[key], **values) if values else catalog[key]

    translate.has = catalog.__contains__  # type: ignore[attr-defined]
    return translate


def class_label(t: Translate, name) -> str:
    """A class's name in the report's language: the catalog's ``class_<name>`` (the Korean
    one names Fashion-MNIST's classes), else the dataset's own name."""
    key = "class_" + re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    return t(key) if t.has(key) else str(name)
