"""Our NumPy optimizers and gradients against TensorFlow, within tight tolerances."""

from __future__ import annotations

import numpy as np
import pytest

from nnreport.config import experiment_settings, load_config
from nnreport.experiments.tf_crosscheck import train as tf_crosscheck


@pytest.fixture(scope="module")
def record(tensorflow):
    settings = experiment_settings(load_config(None), None, "tf_crosscheck")
    settings = {**settings, "size": 200, "inputs": 64, "batch": 20}
    return tf_crosscheck.run(None, settings, np.random.default_rng(3))[0]


def test_every_optimizer_matches_keras(record):
    assert [r["optimizer"] for r in record["optimizers"]] == [
        "SGD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSprop",
        "Adam",
    ]
    for row in record["optimizers"]:
        assert row["moved"] > 0.05, row  # the parameters really moved
        assert row["max_abs_diff"] < 1e-12, row


def test_gradients_match_gradient_tape(record):
    assert {r["param"] for r in record["gradients"]} == {f"{k}{i}" for k in "Wb" for i in range(4)}
    for row in record["gradients"]:
        assert row["max_rel_diff"] < 1e-12, row


def test_a_real_difference_would_show():
    """Adam with epsilon on the bias-corrected estimate is not what Keras computes."""
    import keras

    from nnreport.nn.optimizers import Adam

    rng = np.random.default_rng(0)
    start, grads = rng.standard_normal(50), rng.standard_normal((20, 50))
    ours = {"w": start.copy()}
    adam = Adam(0.0078125, 0.875, 0.9990234375, epsilon=0.125, epsilon_on_corrected=True)
    for g in grads:
        adam.update(ours, {"w": g})
    variable = keras.Variable(start.copy(), dtype="float64")
    reference = keras.optimizers.Adam(0.0078125, 0.875, 0.9990234375, epsilon=0.125)
    for g in grads:
        reference.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
    assert np.max(np.abs(ours["w"] - variable.numpy())) > 1e-4
