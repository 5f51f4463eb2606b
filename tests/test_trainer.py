"""Training: reproducibility, learning, divergence recorded instead of crashing."""

from __future__ import annotations

import numpy as np
import pytest

from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import get_optimizer
from nnreport.nn.trainer import train


def toy_problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((3, 10)) * 3
    labels = rng.integers(0, 3, 600)
    x = (centers[labels] + rng.standard_normal((600, 10))).astype(np.float32)
    return x, labels


def run(seed: int, lr=0.05, optimizer="sgd", models: int = 2, **net_options):
    x, y = toy_problem()
    net = MultiLayerNet(
        10, [16, 16], 3, rng=np.random.default_rng(seed), n_models=models, **net_options
    )
    history = train(
        net,
        get_optimizer(optimizer, learning_rate=lr),
        x[:500],
        y[:500],
        rng=np.random.default_rng(seed + 1),
        batch_size=32,
        iterations=150,
        eval_every=50,
        eval_sets=[(x[:500], y[:500]), (x[500:], y[500:])],
    )
    return net, history


def test_same_seed_same_numbers():
    _, first = run(7, batch_norm=True, dropout_ratio=0.2, weight_decay=0.01)
    _, second = run(7, batch_norm=True, dropout_ratio=0.2, weight_decay=0.01)
    assert np.array_equal(first.loss, second.loss)
    assert np.array_equal(first.test_acc, second.test_acc)


def test_different_seed_different_numbers():
    assert not np.array_equal(run(1)[1].loss, run(2)[1].loss)


def test_training_learns_an_easy_problem():
    _, history = run(0)
    assert history.eval_iterations == [0, 50, 100, 150]
    assert np.all(history.loss[-10:].mean(axis=0) < 0.5 * history.loss[0])
    assert np.all(history.test_acc[-1] > 0.9)
    assert history.status == ["ok", "ok"]


def test_per_model_learning_rate_divergence_is_recorded():
    _, history = run(0, lr=np.array([0.05, 1e6]))
    assert history.status == ["ok", "diverged"]
    step = history.diverged_at[1]
    assert step is not None and np.all(np.isnan(history.loss[step:, 1]))
    assert np.all(np.isfinite(history.loss[:, 0]))
    assert np.isnan(history.test_acc[-1, 1]) and history.test_acc[-1, 0] > 0.9


def test_stops_when_every_model_diverged():
    _, history = run(0, lr=1e8, models=1)
    assert history.status == ["diverged"]
    assert history.diverged_at[0] < 150


@pytest.mark.parametrize("name", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_optimizer_trains(name):
    _, history = run(0, lr=0.01, optimizer=name)
    assert np.all(history.test_acc[-1] > 0.9)
