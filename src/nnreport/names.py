"""Display names of registry names: optimizers, activations and initialisations (``he`` ->
"He"). Records keep registry names; these are for tables and figures only."""

from __future__ import annotations

from nnreport.nn.optimizers import DISPLAY_NAMES

NAMES = {
    **DISPLAY_NAMES,
    "relu": "ReLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "xavier": "Xavier",
    "he": "He",
}


def display(value: str, t=None) -> str:
    """The reader's name of ``value``: the catalog's ``name_<value>`` where it has one (the
    Korean report writes 시그모이드), else the display name above, else ``value``."""
    if t is not None and t.has(f"name_{value}"):
        return t(f"name_{value}")
    return NAMES.get(value, value)
