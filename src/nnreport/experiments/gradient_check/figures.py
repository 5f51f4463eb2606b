"""The gradient check is read from its table (every parameter array's largest difference):
it draws no figure."""

from __future__ import annotations

from nnreport.plots import fixed_figures

figure_names, draw = fixed_figures({})
