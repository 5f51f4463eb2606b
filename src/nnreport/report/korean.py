"""Korean text in the PDF: words kept whole at line ends (WeasyPrint has no ``keep-all``)."""

from __future__ import annotations

import re

# a word with Hangul, or a hyphenated Latin name ("scikit-learn", never "scikit-/learn")
HANGUL_WORD = re.compile(r"[^\s<>]*[가-힣][^\s<>]*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
TAG = re.compile(r"(<[^>]+>)")
VERBATIM = ("style", "pre", "title", "script")


def keep_words_whole(html: str) -> str:
    """Every word with Hangul, and every hyphenated Latin name, in the text of ``html``
    wrapped in ``<span class="kw">`` (``white-space: nowrap``), so lines break only between
    words ("옵티마이저", never "옵티/마이저"; "scikit-learn" whole): CSS ``word-break:
    keep-all`` does that in browsers, but WeasyPrint does not implement it. Text inside
    style, pre, title and script stays as it is."""
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
            out.append(HANGUL_WORD.sub(r'<span class="kw">\g<0></span>', piece))
        else:
            out.append(piece)
    return "".join(out)
