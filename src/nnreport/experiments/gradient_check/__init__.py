"""Chapter 5.7 / 6.3: backprop gradients of the batch-norm net against central differences,"""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="gradient_check",
        unit=__name__,
        order=60,
        reviewed=("experiments.gradient_check.train:numerical_gradient",),
    ),
)
