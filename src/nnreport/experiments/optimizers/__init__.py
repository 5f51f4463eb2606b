"""Chapter 6.1: SGD, Momentum, AdaGrad and Adam (plus Nesterov and RMSprop) on one problem."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="optimizers",
        unit=__name__,
        order=10,
        priority=5,  # five seeds: among the longer jobs
        listed=("experiments.optimizers.train:compare_losses",),
        reviewed=(
            "nn.optimizers:Momentum.step",
            "nn.optimizers:AdaGrad.step",
            "nn.optimizers:Adam.step",
        ),
    ),
)
