"""Our NumPy core checked against TensorFlow (the reference)."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="tf_crosscheck",
        unit=__name__,
        order=80,
        needs_dataset=False,
        listed=(
            "experiments.tf_crosscheck.train:optimizer_differences",
            "experiments.tf_crosscheck.train:tf_loss",
        ),
    ),
)
