"""The TensorFlow study: dropout + Adam against plain gradient descent over repeated runs."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="tf_mlp",
        unit=__name__,
        order=70,
        sharded=True,
        priority=20,  # the longest jobs of a build: start them first
        reviewed=(
            "tfnet:MLPTrainer._logits",
            "tfnet:MLPTrainer._apply",
        ),
        listed=(
            "tfnet:MLPTrainer._epoch_graph",
            "experiments.tf_mlp.train:arm_stats",
            "experiments.tf_mlp.train:step_times",
        ),
    ),
)
