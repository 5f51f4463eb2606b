"""Figures of this experiment, drawn from its result record."""

from __future__ import annotations

from nnreport.experiments.optimizers.figures import loss_curves

FIGURES = {"weight_init": loss_curves}
