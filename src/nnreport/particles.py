"""Korean particles chosen by how the preceding word ends when read aloud.

A particle such as 이/가 depends on whether the word before it ends in a consonant (받침):
"Adam이" (아담), "SGD가" (에스지디), "0.16으로" (육), "0.0086이" (육). Messages ask for one
with a format spec naming the pair, ``{arm:이/가}``; :class:`ParticleFormatter` appends the
right form. 으로/로 also takes 로 after ㄹ ("1로", "학습률로", but "RMSprop으로").
"""

from __future__ import annotations

import string

# Each pair: (after a final consonant, after a vowel or none).
PAIRS = {
    "이/가": ("이", "가"),
    "은/는": ("은", "는"),
    "을/를": ("을", "를"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
    "이다/다": ("이다", "다"),
    "이며/며": ("이며", "며"),
    "이고/고": ("이고", "고"),
}
# How digits and Latin letters end when read: True = a final consonant, "ㄹ" for ㄹ.
DIGITS = {
    "0": True,
    "1": "ㄹ",
    "2": False,
    "3": True,
    "4": False,
    "5": False,
    "6": True,
    "7": "ㄹ",
    "8": "ㄹ",
    "9": False,
}
# Greek letters as read (엡실론, 베타, 로, 알파, 람다, 에타) and subscript digits (β₁: 베타 일).
GREEK = {"ε": True, "β": False, "ρ": False, "α": False, "λ": False, "η": False}
SUBSCRIPTS = {chr(0x2080 + d): DIGITS[str(d)] for d in range(10)}
# Letter names ending in a consonant (엘, 엠, 엔, 알); every other letter ends in a vowel.
LETTER_NAMES = {"l": "ㄹ", "m": True, "n": True, "r": "ㄹ"}
WORD_ENDINGS = {"m": True, "n": True, "ng": True, "l": "ㄹ", "p": True, "k": True, "b": True}
HANGUL_START, HANGUL_END, RIEUL = 0xAC00, 0xD7A3, 8


def final_sound(word: str) -> bool | str:
    """True if ``word`` read aloud ends in a consonant, "ㄹ" if in ㄹ, False if in a vowel."""
    text = word.rstrip(" )]}'\"%.,")
    if not text:
        return False
    last = text[-1]
    if HANGUL_START <= ord(last) <= HANGUL_END:
        final = (ord(last) - HANGUL_START) % 28
        return "ㄹ" if final == RIEUL else final != 0
    if last in DIGITS:
        return DIGITS[last]
    if last in SUBSCRIPTS or last in GREEK:
        return SUBSCRIPTS.get(last, GREEK.get(last))
    if last.isascii() and last.isalpha():
        tail = text.split()[-1]
        letters = "".join(c for c in tail if c.isalpha())
        if letters.isupper() and len(letters) <= 4:  # an acronym: read letter by letter
            return LETTER_NAMES.get(last.lower(), False)
        lower = letters.lower()
        return WORD_ENDINGS.get(lower[-2:], WORD_ENDINGS.get(lower[-1:], False))
    return False


def particle(word: str, pair: str) -> str:
    """``word`` followed by the form of ``pair`` ("이/가", …) its final sound asks for."""
    consonant, vowel = PAIRS[pair]
    final = final_sound(word)
    if pair == "으로/로" and final == "ㄹ":
        return word + vowel
    return word + (consonant if final else vowel)


class ParticleFormatter(string.Formatter):
    """``str.format`` plus particle specs: ``"{arm:이/가}"`` -> "Adam이"."""

    def format_field(self, value, format_spec):
        if format_spec in PAIRS:
            return particle(str(value), format_spec)
        return super().format_field(value, format_spec)
