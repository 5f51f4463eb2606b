"""Chapter 6.1.7: optimizer paths on f(x, y) = x**2 / 20 + y**2 from (-7, 2)."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="toy_optimizers",
        unit=__name__,
        order=26,
        needs_dataset=False,
        listed=("experiments.toy_optimizers.train:run",),
    ),
)
