"""Each optimizer's first two steps against values worked out by hand.

The parameter starts at 1.0; the gradients of the two steps are 0.5 and then 0.25.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnreport.nn.optimizers import OPTIMIZERS, get_optimizer

GRADS = (0.5, 0.25)

# (name, hyperparameters, value after step 1, value after step 2)
CASES = [
    ("sgd", {"learning_rate": 0.1}, 0.95, 0.925),
    # v1 = -0.05; v2 = 0.9 * -0.05 - 0.025 = -0.07
    ("momentum", {"learning_rate": 0.1, "momentum": 0.9}, 0.95, 0.88),
    # p1 = 1 + 0.9 * -0.05 - 0.05; p2 = p1 + 0.9 * -0.07 - 0.025
    ("nesterov", {"learning_rate": 0.1, "momentum": 0.9}, 0.905, 0.817),
    # h1 = 0.25, h2 = 0.3125
    (
        "adagrad",
        {"learning_rate": 0.1, "epsilon": 1e-7},
        1 - 0.05 / (0.5 + 1e-7),
        1 - 0.05 / (0.5 + 1e-7) - 0.025 / (math.sqrt(0.3125) + 1e-7),
    ),
    # h1 = 0.1 * 0.25 = 0.025, h2 = 0.9 * 0.025 + 0.1 * 0.0625 = 0.02875
    (
        "rmsprop",
        {"learning_rate": 0.1, "rho": 0.9, "epsilon": 1e-7},
        1 - 0.05 / (math.sqrt(0.025) + 1e-7),
        1 - 0.05 / (math.sqrt(0.025) + 1e-7) - 0.025 / (math.sqrt(0.02875) + 1e-7),
    ),
    # m1 = 0.05, v1 = 0.00025, step size sqrt(0.001) / 0.1 * 0.1;
    # m2 = 0.07, v2 = 0.00031225, step size 0.1 * sqrt(1 - 0.999**2) / (1 - 0.81)
    (
        "adam",
        {"learning_rate": 0.1, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        1 - math.sqrt(0.001) * 0.05 / (math.sqrt(0.00025) + 1e-7),
        1
        - math.sqrt(0.001) * 0.05 / (math.sqrt(0.00025) + 1e-7)
        - 0.1 * math.sqrt(0.001999) / 0.19 * 0.07 / (math.sqrt(0.00031225) + 1e-7),
    ),
]


@pytest.mark.parametrize(("name", "hyper", "first", "second"), CASES)
def test_first_two_steps(name, hyper, first, second):
    optimizer = get_optimizer(name, **hyper)
    params = {"w": np.array([[[1.0]]])}
    optimizer.update(params, {"w": np.array([[[GRADS[0]]]])})
    assert params["w"][0, 0, 0] == pytest.approx(first, abs=1e-12)
    optimizer.update(params, {"w": np.array([[[GRADS[1]]]])})
    assert params["w"][0, 0, 0] == pytest.approx(second, abs=1e-12)


def test_adam_epsilon_on_corrected_estimate():
    adam = get_optimizer("adam", learning_rate=0.1, epsilon=0.1, epsilon_on_corrected=True)
    params = {"w": np.array([[[1.0]]])}
    adam.update(params, {"w": np.array([[[0.5]]])})
    # m_hat = 0.5, v_hat = 0.25: step = 0.1 * 0.5 / (0.5 + 0.1)
    assert params["w"][0, 0, 0] == pytest.approx(1 - 0.05 / 0.6, abs=1e-12)


def test_per_model_learning_rates():
    sgd = get_optimizer("sgd", learning_rate=np.array([0.1, 0.2]))
    params = {"w": np.ones((2, 1, 1))}
    sgd.update(params, {"w": np.ones((2, 1, 1))})
    assert params["w"].ravel().tolist() == pytest.approx([0.9, 0.8])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_get_config_round_trips(name):
    optimizer = get_optimizer(name, learning_rate=0.05)
    config = optimizer.get_config()
    assert config["name"] == name
    rebuilt = get_optimizer(config.pop("name"), **config)
    assert rebuilt.get_config() == optimizer.get_config()


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("sgd", {"learning_rate": -0.1}),
        ("sgd", {"learning_rate": float("nan")}),
        ("momentum", {"momentum": 1.0}),
        ("adagrad", {"epsilon": 0.0}),
        ("rmsprop", {"rho": -0.1}),
        ("adam", {"beta_2": 1.5}),
        ("adam", {"epsilon": -1e-8}),
    ],
)
def test_bad_hyperparameters_raise(name, hyper):
    with pytest.raises(ValueError):
        get_optimizer(name, **hyper)


def test_unknown_optimizer_names_the_known_ones():
    with pytest.raises(ValueError, match="adam"):
        get_optimizer("lbfgs")
