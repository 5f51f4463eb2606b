"""Message catalogs: every fixed string of the report and its figures, per language.

The shared words live in ``nnreport/i18n/<lang>.yaml``; each experiment unit keeps its own in
``messages.<lang>.yaml`` in its folder. Every file has two parts: ``figures`` (labels that
figures draw: a figure job reads only these, so editing a report sentence redraws nothing)
and ``report`` (everything else). Loading merges the shared catalog with every unit's and
refuses a key defined twice. A unit without a catalog for a language falls back to its
English one (with a warning): a Korean report then shows that unit in English.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from nnreport import UserError
from nnreport.particles import ParticleFormatter

log = logging.getLogger(__name__)

Translate = Callable[..., str]
FORMATTER = ParticleFormatter()  # str.format, plus Korean particles: "{arm:이/가}"
SHARED = Path(__file__).resolve().parent / "i18n"
PARTS = ("figures", "report")


def shared_catalog(lang: str) -> Path:
    return SHARED / f"{lang}.yaml"


def unit_catalog(folder: Path, lang: str) -> Path:
    """A unit's catalog for ``lang``, or its English one when it has none for ``lang``."""
    path = folder / f"messages.{lang}.yaml"
    if path.is_file() or lang == "en":
        return path
    log.warning("%s is missing: the unit's English messages are used", path)
    return folder / "messages.en.yaml"


def catalog_files(lang: str, folders=None) -> list[Path]:
    """The shared catalog and each unit's (``folders``: the units' folders, default all)."""
    if folders is None:
        from nnreport import experiments

        folders = experiments.unit_folders()
    return [shared_catalog(lang), *(unit_catalog(folder, lang) for folder in folders)]


@cache
def read_catalog(path: Path) -> dict[str, dict[str, str]]:
    """One catalog file: {"figures": {...}, "report": {...}}."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise UserError(
            f"The message catalog {path} is missing. Every unit needs messages.en.yaml "
            "(docs/extending.md); a report language needs nnreport/i18n/<lang>.yaml."
        ) from None
    unknown = set(loaded) - set(PARTS)
    if unknown:
        raise UserError(
            f"{path} has the top-level key(s) {', '.join(sorted(unknown))}; a catalog holds "
            "only `figures:` (labels drawn in figures) and `report:` (everything else)."
        )
    return {part: dict(loaded.get(part) or {}) for part in PARTS}


def merged(files: list[Path], parts=PARTS) -> dict[str, str]:
    """The messages of ``parts`` of ``files``; a key defined twice is an error."""
    found: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in files:
        for part in parts:
            for key, text in read_catalog(path)[part].items():
                if key in found:
                    raise UserError(
                        f"The message {key!r} is defined twice: in {where[key]} and in "
                        f"{path} ({part}). Keep one (a unit's own words in its folder, "
                        "shared words in nnreport/i18n)."
                    )
                found[key], where[key] = text, f"{path} ({part})"
    return found


def translator(catalog: dict[str, str], description: str) -> Translate:
    """``t(key, **values)``: the catalog string for ``key``, formatted with ``values``;
    ``t.has(key)`` says whether the catalog has it."""

    def translate(key: str, **values) -> str:
        if key not in catalog:
            raise UserError(
                f"The {description} have no entry {key!r}. Every experiment needs its messages "
                "(title, intro, review note, captions, claims; docs/extending.md): add the "
                "entry to the unit's messages.<lang>.yaml and run again."
            )
        return FORMATTER.format(catalog[key], **values) if values else catalog[key]

    translate.has = catalog.__contains__  # type: ignore[attr-defined]
    return translate


def check_language(lang: str) -> None:
    if not shared_catalog(lang).is_file():
        available = sorted(p.stem for p in SHARED.glob("*.yaml"))
        raise UserError(
            f"There is no message catalog for the report language {lang!r} "
            f"(available: {', '.join(available)}). Set report.lang to one of them."
        )


def load_messages(lang: str) -> Translate:
    """Every message of ``lang``: the shared catalog and every unit's, both parts."""
    check_language(lang)
    return translator(merged(catalog_files(lang)), f"{lang} message catalogs")


def figure_messages(lang: str, unit_folder: Path | None = None) -> dict[str, str]:
    """The labels a figure may draw: the shared ``figures`` part and its unit's (none for
    the dataset figures). The figure rules pass these as a parameter, so that a changed
    label redraws the figures that may use it, and nothing else."""
    check_language(lang)
    folders = [] if unit_folder is None else [unit_folder]
    return merged(catalog_files(lang, folders), parts=("figures",))


def figure_translator(lang: str, unit_folder: Path | None = None) -> Translate:
    return translator(figure_messages(lang, unit_folder), f"{lang} figure labels")


def class_label(t: Translate, name) -> str:
    """A class's name in the report's language: the catalog's ``class_<name>`` (the Korean
    one names Fashion-MNIST's classes), else the dataset's own name."""
    key = "class_" + re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    return t(key) if t.has(key) else str(name)


def listed(names: list[str], t) -> str:
    """The names as a sentence lists them, "MNIST, Fashion-MNIST and digits" (the catalog's
    ``list_last`` joins the last two)."""
    if len(names) < 2:
        return "".join(names)
    return t("list_last", head=", ".join(names[:-1]), last=names[-1])


# Text that is not prose: code, code listings, style sheets, tags, and a message's
# {placeholders}.
NOT_PROSE = re.compile(r"<(code|pre|style|script)\b.*?</\1>|<[^>]+>|\{[^{}]*\}", re.S)


def glossary_breaches(text: str, lang: str) -> list[tuple[str, str]]:
    """(avoided form, term to use) for each form of the language's glossary that ``text``
    uses in prose. A language without a glossary file has none."""
    path = shared_catalog(lang).with_name(f"glossary.{lang}.yaml")
    if not path.exists():
        return []
    prose = NOT_PROSE.sub(" ", text)
    return [
        (match.group(0), entry["term"])
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))
        for pattern in entry["avoid"]
        if (match := re.search(pattern, prose))
    ]
