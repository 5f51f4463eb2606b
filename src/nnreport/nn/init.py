"""Weight initialisers: a fixed standard deviation, Xavier and He.

Xavier: std = sqrt(1 / n_in) (Glorot & Bengio, 2010, in the textbook's simplified form).
He: std = sqrt(2 / n_in) (He et al., 2015), the choice for ReLU.
"""

from __future__ import annotations

import math

NAMED = {"xavier": 1.0, "he": 2.0}


def weight_std(init: str | float, n_in: int) -> float:
    """The standard deviation ``init`` gives a layer with ``n_in`` inputs."""
    if isinstance(init, str):
        key = init.lower()
        if key in NAMED:
            return math.sqrt(NAMED[key] / n_in)
        if key.startswith("std="):
            init = float(key[4:])
        else:
            raise ValueError(
                f"unknown weight initialisation {init!r}: use 'xavier', 'he' or a number"
            )
    std = float(init)
    if not std > 0 or not math.isfinite(std):
        raise ValueError(f"weight std must be a positive number, got {init!r}")
    return std


def init_label(init: str | float) -> str:
    """Human label: 'Xavier', 'He' or 'std=0.01'."""
    if isinstance(init, str) and init.lower() in NAMED:
        return {"xavier": "Xavier", "he": "He"}[init.lower()]
    return f"std={float(str(init).removeprefix('std=')):g}"


def init_name(init: str | float) -> str:
    """Registry name: 'xavier', 'he' or 'std=0.01' (records name arms by it)."""
    if isinstance(init, str) and init.lower() in NAMED:
        return init.lower()
    return init_label(init)
