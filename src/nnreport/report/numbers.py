"""How the report writes numbers, in its text and its tables alike.

The rule: three significant digits (accuracies in tables: four decimals, as they are
compared in the third decimal); values below 1e-4 in scientific notation ("9.8e-06"), never
as "0.000"; zero as "0". An interval gets as many more digits as it needs for its two ends
to differ ("[2.31, 2.34]", never "[2.3, 2.3]"); a p-value two significant digits.
"""

from __future__ import annotations

import math

TINY = 1e-4  # below this, scientific notation
MAX_DIGITS = 8


def sig(value, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits; tiny values in scientific notation."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < TINY:
        return f"{value:.{max(digits - 1, 1)}e}"
    text = f"{value:.{digits}g}"
    if "e" in text:  # a large number: no exponent
        text = f"{value:.0f}"
    return text


def measured(value, digits: int = 3) -> str:
    """:func:`sig` keeping its trailing zeros ("0.320", "0.0490"), so that a table column of
    measured values shows every value at the same precision; tiny values as :func:`sig`."""
    text = sig(value, digits)
    if text in ("—", "0") or "e" in text or abs(float(value)) >= 10 ** (digits - 1):
        return text
    return f"{float(value):#.{digits}g}"


def signed(value, digits: int = 3) -> str:
    """:func:`sig` with its sign always written: "+0.012", "-0.003", "0"."""
    text = sig(value, digits)
    return text if text[0] in "-—" or text == "0" else f"+{text}"


def fixed(value, decimals: int = 4) -> str:
    """``decimals`` decimals (accuracies), or :func:`sig` where that would show nothing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if value != 0 and abs(value) < 10 ** (1 - decimals):
        return sig(value, decimals - 1)
    return f"{value:.{decimals}f}"


def places_for(low: float, high: float, digits: int = 3) -> int:
    """The fewest significant digits (at least ``digits``) that tell ``low`` and ``high``
    apart; ``digits`` when they are equal."""
    for places in range(digits, MAX_DIGITS + 1):
        if low == high or sig(low, places) != sig(high, places):
            return places
    return MAX_DIGITS


def interval(low: float, high: float, digits: int = 3) -> tuple[str, str]:
    """The two ends of an interval, never written alike unless they are equal."""
    places = places_for(low, high, digits)
    return sig(low, places), sig(high, places)


def with_interval(effect: float, low: float, high: float, digits: int = 3) -> tuple[str, ...]:
    """An estimate and its interval, all three at the digits the interval needs."""
    places = places_for(low, high, digits)
    return sig(effect, places), sig(low, places), sig(high, places)


def p_value(p: float) -> str:
    """A p-value with two significant digits (scientific below 1e-4)."""
    return sig(p, 2)
