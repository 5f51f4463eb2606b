"""Chapter 6.4: overfitting on a small training set, and two remedies."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="overfit",
        unit=__name__,
        order=40,
        priority=5,
        listed=(
            "nn.trainer:train",
            "experiments.regularization.train:run",
        ),
    ),
    Experiment(
        name="weight_decay",
        unit=__name__,
        order=41,
        priority=5,
        reviewed=(
            "nn.network:MultiLayerNet.decay_penalty",
            "nn.network:MultiLayerNet.gradient",
        ),
    ),
    Experiment(
        name="dropout",
        unit=__name__,
        order=42,
        priority=5,
        reviewed=(
            "nn.layers:Dropout.forward",
            "nn.layers:Dropout.backward",
        ),
    ),
)
