"""Chapter 6.3: batch normalisation against weight scale."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="batch_norm",
        unit=__name__,
        order=30,
        priority=5,  # five seeds: among the longer jobs
        reviewed=(
            "nn.layers:BatchNormalization.forward",
            "nn.layers:BatchNormalization.backward",
        ),
        listed=("experiments.batch_norm.train:run",),
    ),
)
