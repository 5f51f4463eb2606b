"""Nearest class centroid against the majority class: a worked example of a unit.

tests/test_extension.py copies this folder to src/nnreport/experiments/centroid/ and its
messages into the catalog, and builds the smoke report (README, "Adding an experiment").
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
