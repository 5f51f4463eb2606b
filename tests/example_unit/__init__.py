"""Nearest class centroid against the majority class: a worked example of a unit.

tests/test_extension.py copies this folder to src/nnreport/experiments/centroid/, and
nothing else, then builds the smoke report (docs/extending.md).
"""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="centroid",
        unit=__name__,
        order=65,
        reviewed=("experiments.centroid.train:run",),
    ),
)
