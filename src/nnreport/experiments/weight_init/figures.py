"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

from nnreport.experiments.optimizers.figures import loss_curves
from nnreport.plots import fixed_figures

figure_names, draw = fixed_figures({"weight_init": loss_curves})
