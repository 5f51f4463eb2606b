"""Line breaks in the PDF: numbers, and Korean words, kept whole at line ends.

WeasyPrint breaks a line at a hyphen, a minus or after a full stop inside "1.5e-05", and does
not implement CSS ``word-break: keep-all`` (which keeps Korean words whole in browsers). So
before the HTML goes to WeasyPrint, every number, interval, hyphenated name and (for Korean)
every word with Hangul in its text is wrapped in ``<span class="kw">`` (``white-space:
nowrap``); lines then break only between them.
"""

from __future__ import annotations

import re

# A number ("0.977", "-0.147", "1.5e-05", "60,000", "95 %"); an interval "[0.976, 0.978]"; a
# hyphenated Latin name ("scikit-learn", never "scikit-/learn").
NUMBER = r"[−\-+]?\d[\d,]*(?:\.\d+)?(?:e[−\-+]?\d+)?(?:\u00a0%|%)?"
INTERVAL = r"\[[^\[\]<>]*?\d[^\[\]<>]*?\]"
NAME = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+"
HANGUL_WORD = r"[^\s<>]*[가-힣][^\s<>]*"
ENTITY = r"&#?\w+;"  # "&#39;" is a character, not a number: matched first, left as it is
WHOLE = re.compile(f"{ENTITY}|{INTERVAL}|{NAME}|{NUMBER}")
WHOLE_KOREAN = re.compile(f"{ENTITY}|{INTERVAL}|{HANGUL_WORD}|{NAME}|{NUMBER}")
TAG = re.compile(r"(<[^>]+>)")
VERBATIM = ("style", "pre", "title", "script")


def wrap(match: re.Match) -> str:
    text = match.group(0)
    return text if text.startswith("&") else f'<span class="kw">{text}</span>'


def keep_whole(html: str, korean: bool = False) -> str:
    """``html`` with every number, interval and hyphenated name in its text (and with
    ``korean``, every word with Hangul) wrapped in a no-break span. Text inside style, pre,
    title and script stays as it is."""
    pattern = WHOLE_KOREAN if korean else WHOLE
    out, verbatim = [], None
    for piece in TAG.split(html):
        if piece.startswith("<"):
            name = piece[1:].split(None, 1)[0].rstrip(">").lower() if len(piece) > 2 else ""
            if verbatim is None and name in VERBATIM:
                verbatim = name
            elif verbatim is not None and name == f"/{verbatim}":
                verbatim = None
            out.append(piece)
        elif verbatim is None:
            out.append(pattern.sub(wrap, piece))
        else:
            out.append(piece)
    return "".join(out)
