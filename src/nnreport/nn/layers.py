"""Layers with ``forward(x, train)`` / ``backward(dout)`` over a stack of ``K`` models.

Shapes: a shared input is ``(N, D)``; every other activation is ``(K, N, D)``. Parameters live
in ``self.params`` and their gradients in ``self.grads`` under the same keys, each with a
leading model axis.
"""

from __future__ import annotations

import numpy as np


class Layer:
    """Base class: stateless layers keep empty parameter dicts.

    A network may place preallocated arrays in ``grads``; layers then write into them.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def store_grad(self, key: str, value: np.ndarray) -> None:
        if key in self.grads:
            self.grads[key][...] = value
        else:
            self.grads[key] = value


class Affine(Layer):
    """``x @ W + b`` for ``K`` models; ``W``: (K, D_in, D_out), ``b``: (K, 1, D_out).

    A shared 2-D input is broadcast against all ``K`` weight matrices. With
    ``input_grad=False`` (the first layer) no gradient w.r.t. the input is formed.
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray, input_grad: bool = True) -> None:
        super().__init__()
        self.params = {"W": weight, "b": bias}
        self.input_grad = input_grad
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        self.x = x
        out = np.matmul(x, self.params["W"])
        out += self.params["b"]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        x, weight = self.x, self.params["W"]
        for key, shape in (("W", weight.shape), ("b", self.params["b"].shape)):
            if key not in self.grads:
                self.grads[key] = np.empty(shape, dtype=dout.dtype)
        np.matmul(np.swapaxes(x, -1, -2), dout, out=self.grads["W"])
        ones = np.ones((1, dout.shape[1]), dtype=dout.dtype)
        np.matmul(ones, dout, out=self.grads["b"])  # the batch sum, as a matmul
        if not self.input_grad:
            return None
        dx = np.matmul(dout, np.swapaxes(weight, -1, -2))
        return dx.sum(axis=0) if x.ndim == 2 else dx


class ReLU(Layer):
    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        if not train:  # inference needs no mask; x is a fresh activation, ours to overwrite
            return np.maximum(x, 0, out=x)
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.multiply(dout, self.mask, out=dout)  # dout is ours to overwrite


class Sigmoid(Layer):
    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        with np.errstate(over="ignore"):
            self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 - self.out**2)


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class BatchNormalization(Layer):
    """Batch normalisation (Ioffe & Szegedy, 2015) over the batch axis of each model.

    ``gamma``/``beta``: (K, 1, D). Training uses batch statistics and updates running
    averages with ``momentum``; inference uses the running averages.
    """

    def __init__(
        self, gamma: np.ndarray, beta: np.ndarray, momentum: float = 0.9, eps: float = 1e-6
    ) -> None:
        super().__init__()
        self.params = {"gamma": gamma, "beta": beta}
        self.momentum, self.eps = momentum, eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        if x.ndim == 2:
            x = np.broadcast_to(x, (len(self.params["gamma"]), *x.shape))
        if train:
            mean = x.mean(axis=1, keepdims=True)
            self.xc = x - mean
            var = np.mean(self.xc**2, axis=1, keepdims=True)
            self.std = np.sqrt(var + self.eps)
            self.xn = self.xc / self.std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mean
            self.running_var = m * self.running_var + (1 - m) * var
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.params["gamma"] * xn + self.params["beta"]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.store_grad("beta", dout.sum(axis=1, keepdims=True))
        self.store_grad("gamma", np.sum(dout * self.xn, axis=1, keepdims=True))
        dxn = dout * self.params["gamma"]
        mean_dxn = dxn.mean(axis=1, keepdims=True)
        mean_dxn_xn = np.mean(dxn * self.xn, axis=1, keepdims=True)
        return (dxn - mean_dxn - self.xn * mean_dxn_xn) / self.std


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014): drop with probability ``ratio`` while
    training and scale the survivors by ``1 / (1 - ratio)``; identity at inference.

    The textbook scales by ``1 - ratio`` at inference instead; both have the same expectation.
    Set ``fixed_mask`` to reuse one mask (gradient checks).
    """

    def __init__(self, ratio: float, rng: np.random.Generator) -> None:
        super().__init__()
        if not 0 <= ratio < 1:
            raise ValueError(f"dropout ratio must be in [0, 1), got {ratio}")
        self.ratio, self.rng = ratio, rng
        self.fixed_mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        if not train or self.ratio == 0:
            self.scale = None
            return x
        if self.fixed_mask is not None:
            keep = self.fixed_mask
        else:
            keep = self.rng.random(x.shape, dtype=np.float32) >= self.ratio
        self.scale = keep.astype(x.dtype) / x.dtype.type(1 - self.ratio)
        return x * self.scale

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout if self.scale is None else dout * self.scale


class SoftmaxWithLoss(Layer):
    """Softmax + mean cross-entropy per model. ``forward`` returns the loss, shape (K,)."""

    def forward(self, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
        self.onehot = np.zeros(x.shape[-2:], dtype=x.dtype)
        self.onehot[np.arange(len(labels)), labels] = 1
        shifted = x - x.max(axis=-1, keepdims=True)
        picked = np.einsum("knc,nc->kn", shifted, self.onehot)  # the true class's score
        self.prob = np.exp(shifted, out=shifted)
        total = self.prob.sum(axis=-1, keepdims=True)
        self.prob /= total
        return np.mean(np.log(total[..., 0]) - picked, axis=1)

    def backward(self, dout: np.ndarray | float = 1.0) -> np.ndarray:
        dx = self.prob - self.onehot
        scale = np.asarray(dout, dtype=dx.dtype).reshape(-1, 1, 1) / len(self.onehot)
        dx *= scale
        return dx
