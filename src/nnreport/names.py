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
