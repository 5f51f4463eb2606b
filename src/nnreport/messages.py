"""Message catalogs: every fixed string of the report and its figures, one YAML file per
language under ``templates/i18n/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from nnreport import UserError

Translate = Callable[..., str]


def load_messages(templates: str | Path, lang: str) -> Translate:
    """``t(key, **values)``: the catalog string for ``key``, formatted with ``values``."""
    path = Path(templates) / "i18n" / f"{lang}.yaml"
    try:
        catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"No message catalog {path} for report language {lang!r}.") from None

    def translate(key: str, **values) -> str:
        if key not in catalog:
            raise UserError(
                f"The message catalog {path} has no entry {key!r}. Every experiment needs its "
                "messages (title, intro, review note, captions, claims; README, 'Adding an "
                "experiment'): add the entry and run again."
            )
        return catalog[key].format(**values) if values else catalog[key]

    return translate
