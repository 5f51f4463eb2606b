"""A fully connected network for a stack of ``K`` models of one architecture.

Layout per hidden layer: Affine -> [BatchNormalization] -> activation -> [Dropout];
then a last Affine and SoftmaxWithLoss. Weight decay adds ``0.5 * lambda * sum(W**2)`` over
all weight matrices to each model's loss and ``lambda * W`` to their gradients.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnreport.nn.init import weight_std
from nnreport.nn.layers import (
    ACTIVATIONS,
    Affine,
    BatchNormalization,
    Dropout,
    Layer,
    SoftmaxWithLoss,
)


def per_model(value, n_models: int, name: str) -> list:
    """A setting given once for all models, or once per model, as a list of length K."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return [value] * n_models
    values = list(value)
    if len(values) != n_models:
        raise ValueError(f"{name} has {len(values)} entries for {n_models} models")
    return values


def weight_count(sizes: Sequence[int]) -> int:
    """Number of weight-matrix entries (biases excluded) of a net with layer ``sizes``."""
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


class MultiLayerNet:
    """``n_models`` independent fully connected nets trained side by side.

    Args:
        input_size: features per sample.
        hidden_sizes: units per hidden layer, e.g. ``[100, 100, 100, 100]``.
        output_size: number of classes.
        rng: source of the initial weights and of the dropout masks; or one generator per
            model, so that each model's weights do not depend on which others share its stack.
        n_models: K, the number of stacked models.
        activation: 'relu', 'sigmoid' or 'tanh'.
        weight_init: 'he', 'xavier' or a std; one for all models or one per model.
        batch_norm: insert batch normalisation before each hidden activation.
        dropout_ratio: drop probability after each hidden activation (0 = off).
        weight_decay: L2 strength lambda; a scalar or one per model.
        shared_draw: draw one standard-normal weight tensor per layer and scale it per model,
            so that models differ only in their settings, not in their luck.
        dtype: float32 for training, float64 for gradient checks.
    """

    def __init__(
        self,
        input_size: int,
        hidden_sizes: Sequence[int],
        output_size: int,
        rng: np.random.Generator | Sequence[np.random.Generator],
        n_models: int = 1,
        activation: str = "relu",
        weight_init: str | float | Sequence = "he",
        batch_norm: bool = False,
        dropout_ratio: float = 0.0,
        weight_decay: float | Sequence[float] = 0.0,
        shared_draw: bool = False,
        dtype=np.float32,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}")
        self.n_models, self.dtype = n_models, np.dtype(dtype)
        decay = np.asarray(per_model(weight_decay, n_models, "the weight decay"), dtype=self.dtype)
        if np.any(decay < 0) or not np.all(np.isfinite(decay)):
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.weight_decay = decay.reshape(-1, 1, 1)
        inits = per_model(weight_init, n_models, "the weight init")
        model_rngs = None
        if not isinstance(rng, np.random.Generator):
            model_rngs = per_model(list(rng), n_models, "rng")
            if dropout_ratio > 0:
                raise ValueError("dropout needs a single generator for its masks")
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers: list[Layer] = []
        self.affines: list[Affine] = []
        for index, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            stds = np.array([weight_std(init, d_in) for init in inits], dtype=self.dtype)
            if model_rngs is not None:
                weight = np.concatenate(
                    [r.standard_normal((1, d_in, d_out), dtype=np.float64) for r in model_rngs]
                )
            else:
                draws = 1 if shared_draw else n_models
                weight = rng.standard_normal((draws, d_in, d_out), dtype=np.float64)
            weight = (weight * stds.reshape(-1, 1, 1)).astype(self.dtype)
            bias = np.zeros((n_models, 1, d_out), dtype=self.dtype)
            affine = Affine(weight, bias, input_grad=index > 0)
            self.affines.append(affine)
            self.layers.append(affine)
            if index == len(sizes) - 2:
                break
            if batch_norm:
                ones = np.ones((n_models, 1, d_out), dtype=self.dtype)
                self.layers.append(BatchNormalization(ones, np.zeros_like(ones)))
            self.layers.append(ACTIVATIONS[activation]())
            if dropout_ratio > 0:
                self.layers.append(Dropout(dropout_ratio, rng))
        self.last_layer = SoftmaxWithLoss()
        self._pack_parameters()

    def _pack_parameters(self) -> None:
        """Move every parameter into one (K, P) buffer, ``self.flat``; layers keep views.

        One contiguous row per model lets an optimizer update a whole model in one call, and
        ``self.flat_grad`` collects the gradients in the same layout.
        """
        arrays = {
            f"{key}{position}": (layer, key)
            for position, layer in enumerate(self.layers)
            for key in layer.params
        }
        sizes = [layer.params[key][0].size for layer, key in arrays.values()]
        self.flat = np.empty((self.n_models, sum(sizes)), dtype=self.dtype)
        self.flat_grad = np.zeros_like(self.flat)
        self._scratch = np.empty(self.flat.size, dtype=self.dtype)  # weight-decay products
        self.params, self.grad_views = {}, {}
        offset = 0
        for (name, (layer, key)), size in zip(arrays.items(), sizes, strict=True):
            shape = layer.params[key].shape
            view = self.flat[:, offset : offset + size].reshape(shape)
            view[...] = layer.params[key]
            layer.params[key] = self.params[name] = view
            grad_view = self.flat_grad[:, offset : offset + size].reshape(shape)
            layer.grads[key] = self.grad_views[name] = grad_view
            offset += size

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """Class scores, shape (K, N, classes), for a shared input ``x`` of shape (N, D)."""
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def decay_penalty(self) -> np.ndarray:
        """``0.5 * lambda * sum(W**2)`` per model, shape (K,)."""
        squares = sum(np.einsum("kij,kij->k", a.params["W"], a.params["W"]) for a in self.affines)
        return 0.5 * self.weight_decay[:, 0, 0] * squares

    def loss(self, x: np.ndarray, labels: np.ndarray, train: bool = True) -> np.ndarray:
        """Mean cross-entropy plus weight decay, per model: shape (K,)."""
        loss = self.last_layer.forward(self.forward(x, train), labels)
        if np.any(self.weight_decay):
            loss = loss + self.decay_penalty()
        return loss

    def gradient(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One training forward and backward pass: (loss per model, gradients by key).

        The gradients are views of ``self.flat_grad``, overwritten by the next call.
        """
        loss = self.loss(x, labels, train=True)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        if np.any(self.weight_decay):
            for affine in self.affines:
                scratch = self._scratch[: affine.params["W"].size].reshape(affine.params["W"].shape)
                np.multiply(self.weight_decay, affine.params["W"], out=scratch)
                affine.grads["W"] += scratch
        return loss, self.grad_views

    def accuracy(self, x: np.ndarray, labels: np.ndarray, batch_size: int = 2000) -> np.ndarray:
        """Fraction of correct predictions per model (inference mode), shape (K,). A model whose
        weights have grown huge (diverging) overflows here; it is scored, not raised."""
        correct = np.zeros(self.n_models, dtype=np.int64)
        for start in range(0, len(x), batch_size):
            with np.errstate(over="ignore", invalid="ignore"):
                scores = self.forward(x[start : start + batch_size], train=False)
            correct += np.sum(scores.argmax(axis=-1) == labels[start : start + batch_size], axis=1)
        return correct / max(len(x), 1)
