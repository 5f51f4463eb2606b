"""Chapter 6.2: the same ReLU net from std=0.01, Xavier and He initial weights, trained by"""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="weight_init",
        unit=__name__,
        order=20,
        priority=5,  # five seeds: among the longer jobs
        reviewed=("nn.init:weight_std",),
        listed=("experiments.weight_init.train:run",),
    ),
)
