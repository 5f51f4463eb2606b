"""Backprop against central-difference gradients, in float64, for every layer and the net."""

from __future__ import annotations

import numpy as np
import pytest

from nnreport.nn.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)
from nnreport.nn.network import MultiLayerNet

K, N, D_IN, D_OUT = 2, 5, 4, 3


def numerical_gradient(f, array: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + h
        plus = f()
        array[index] = saved - h
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def check_layer(layer, x: np.ndarray, rng: np.random.Generator) -> None:
    """Check input and parameter gradients of ``sum(forward(x) * weights)``."""
    out = layer.forward(x, True)
    weights = rng.standard_normal(out.shape)

    def objective() -> float:
        return float(np.sum(layer.forward(x, True) * weights))

    layer.forward(x, True)
    dx = layer.backward(weights)
    if dx is not None:
        assert relative_error(dx, numerical_gradient(objective, x)) < 1e-5
    for key, param in layer.params.items():
        layer.forward(x, True)
        layer.backward(weights)
        analytic = layer.grads[key].copy()
        assert relative_error(analytic, numerical_gradient(objective, param)) < 1e-5, key


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def test_affine_stacked_input(rng):
    layer = Affine(rng.standard_normal((K, D_IN, D_OUT)), rng.standard_normal((K, 1, D_OUT)))
    check_layer(layer, rng.standard_normal((K, N, D_IN)), rng)


def test_affine_shared_input(rng):
    layer = Affine(rng.standard_normal((K, D_IN, D_OUT)), rng.standard_normal((K, 1, D_OUT)))
    check_layer(layer, rng.standard_normal((N, D_IN)), rng)


def test_affine_without_input_gradient_returns_none(rng):
    layer = Affine(rng.standard_normal((K, D_IN, D_OUT)), np.zeros((K, 1, D_OUT)), False)
    layer.forward(rng.standard_normal((N, D_IN)), True)
    assert layer.backward(rng.standard_normal((K, N, D_OUT))) is None


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid, Tanh])
def test_activations(layer_cls, rng):
    x = rng.standard_normal((K, N, D_IN))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU away from its kink
    check_layer(layer_cls(), x, rng)


def test_batch_normalization(rng):
    layer = BatchNormalization(
        rng.standard_normal((K, 1, D_IN)) + 1, rng.standard_normal((K, 1, D_IN))
    )
    check_layer(layer, rng.standard_normal((K, N, D_IN)) * 3 + 1, rng)


def test_dropout_with_fixed_mask(rng):
    layer = Dropout(0.4, rng)
    layer.fixed_mask = rng.random((K, N, D_IN)) >= 0.4
    check_layer(layer, rng.standard_normal((K, N, D_IN)), rng)


def test_dropout_is_identity_at_inference(rng):
    x = rng.standard_normal((K, N, D_IN))
    assert np.array_equal(Dropout(0.5, rng).forward(x, False), x)


def test_softmax_with_loss(rng):
    layer = SoftmaxWithLoss()
    x = rng.standard_normal((K, N, D_OUT))
    labels = rng.integers(0, D_OUT, N)

    def objective() -> float:
        return float(np.sum(layer.forward(x, labels)))

    layer.forward(x, labels)
    analytic = layer.backward()
    assert relative_error(analytic, numerical_gradient(objective, x)) < 1e-5


def test_softmax_loss_of_uniform_scores_is_log_classes():
    loss = SoftmaxWithLoss().forward(np.zeros((1, 4, 10)), np.arange(4))
    assert loss[0] == pytest.approx(np.log(10))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"batch_norm": True},
        {"dropout_ratio": 0.3},
        {"weight_decay": [0.1, 0.03]},
        {"batch_norm": True, "dropout_ratio": 0.2, "weight_decay": 0.05, "activation": "tanh"},
        {"activation": "sigmoid", "weight_init": [0.5, "he"]},
    ],
)
def test_whole_network(options, rng):
    net = MultiLayerNet(
        6, [5, 4], 3, rng=rng, n_models=K, dtype=np.float64, **{"weight_init": "xavier", **options}
    )
    for layer in net.layers:
        if isinstance(layer, Dropout):
            layer.fixed_mask = rng.random((K, 8, layer_width(net, layer))) >= layer.ratio
    x = rng.standard_normal((8, 6))
    labels = rng.integers(0, 3, 8)

    def objective() -> float:
        return float(np.sum(net.loss(x, labels, train=True)))

    _, grads = net.gradient(x, labels)
    grads = {key: value.copy() for key, value in grads.items()}
    for key, param in net.params.items():
        numeric = numerical_gradient(objective, param)
        assert relative_error(grads[key], numeric) < 1e-5, key


def layer_width(net: MultiLayerNet, dropout: Dropout) -> int:
    index = net.layers.index(dropout)
    affine = next(layer for layer in reversed(net.layers[:index]) if isinstance(layer, Affine))
    return affine.params["W"].shape[2]
