"""Chapter 6.5: random search for the learning rate and weight decay, then narrowing."""

from nnreport.experiments.spec import Experiment

EXPERIMENTS = (
    Experiment(
        name="hparam_search",
        unit=__name__,
        order=50,
        sharded=True,
        priority=10,
        reviewed=(
            "experiments.hparam_search.train:sample",
            "experiments.hparam_search.train:extended_box",
            "experiments.hparam_search.train:goes_on",
        ),
        listed=(
            "experiments.hparam_search.train:best_range",
            "experiments.hparam_search.train:decay_effect",
            "experiments.hparam_search.train:merge",
        ),
    ),
)
