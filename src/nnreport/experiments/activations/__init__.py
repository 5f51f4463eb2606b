"""Chapter 6.2.2: distribution of hidden-layer activations for each weight initialisation."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="activations",
        unit=__name__,
        order=25,
        needs_dataset=False,
        listed=("experiments.activations.train:run",),
    ),
)
