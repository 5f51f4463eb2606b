"""Gradient-descent optimizers, updating parameter dicts in place.

Each optimizer keeps its state (velocities, accumulators) per parameter key, built on the
first step. Every constant is an argument; bad values raise ``ValueError``. A learning rate
may be an array of shape (K,) to give each model of a stack its own (hyperparameter search).

References: momentum (Polyak, 1964); Nesterov in the form of Sutskever et al. (2013), as
Keras writes it; AdaGrad (Duchi et al., 2011); RMSprop (Tieleman & Hinton, 2012);
Adam (Kingma & Ba, 2015).
"""

from __future__ import annotations

import math

import numpy as np


def _check_positive(name: str, value) -> None:
    values = np.asarray(value, dtype=np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)) or not np.all(values > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _check_unit(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and 0 <= value < 1):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def _per_model(value, param: np.ndarray):
    """Broadcast a scalar or (K,) hyperparameter against a (K, ...) parameter."""
    if np.ndim(value) == 0:
        return param.dtype.type(value)
    return np.asarray(value, dtype=param.dtype).reshape((-1,) + (1,) * (param.ndim - 1))


def scaled_step(param, grad, lr, h, epsilon, tmp) -> None:
    """``param -= lr * grad / (sqrt(h) + epsilon)``, in place through the scratch ``tmp``."""
    np.sqrt(h, out=tmp)
    tmp += epsilon
    np.divide(grad, tmp, out=tmp)
    tmp *= lr
    param -= tmp


class Optimizer:
    """Base class. Subclasses implement :meth:`step` for one parameter array."""

    name = ""

    def __init__(self, learning_rate) -> None:
        _check_positive("learning_rate", learning_rate)
        self.learning_rate = learning_rate
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.iterations = 0

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Apply one step to every array in ``params`` (in place)."""
        self.iterations += 1
        for key, param in params.items():
            if key not in self.state:
                self.state[key] = self.build(param)
            lr = _per_model(self.learning_rate, param)
            self.step(param, grads[key], lr, self.state[key])

    def build(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def step(self, param, grad, lr, state) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        lr = self.learning_rate
        return {"name": self.name, "learning_rate": lr if np.ndim(lr) == 0 else list(lr)}


class SGD(Optimizer):
    """``p -= lr * g``."""

    name = "sgd"

    def __init__(self, learning_rate=0.01) -> None:
        super().__init__(learning_rate)

    def build(self, param):
        return {"tmp": np.empty_like(param)}

    def step(self, param, grad, lr, state) -> None:
        np.multiply(grad, lr, out=state["tmp"])
        param -= state["tmp"]


class Momentum(Optimizer):
    """``v = momentum * v - lr * g; p += v``."""

    name = "momentum"

    def __init__(self, learning_rate=0.01, momentum: float = 0.9) -> None:
        super().__init__(learning_rate)
        _check_unit("momentum", momentum)
        self.momentum = momentum

    def build(self, param):
        return {"v": np.zeros_like(param)}

    def step(self, param, grad, lr, state) -> None:
        v = state["v"]
        v *= self.momentum
        v -= lr * grad
        param += v

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum}


class Nesterov(Momentum):
    """``v = momentum * v - lr * g; p += momentum * v - lr * g`` (Sutskever et al., 2013)."""

    name = "nesterov"

    def step(self, param, grad, lr, state) -> None:
        v = state["v"]
        step = lr * grad
        v *= self.momentum
        v -= step
        param += self.momentum * v - step


class AdaGrad(Optimizer):
    """``h += g**2; p -= lr * g / (sqrt(h) + epsilon)``; ``h`` starts at
    ``initial_accumulator`` (0 in the textbook, 0.1 in Keras)."""

    name = "adagrad"

    def __init__(self, learning_rate=0.01, epsilon: float = 1e-7, initial_accumulator=0.0):
        super().__init__(learning_rate)
        _check_positive("epsilon", epsilon)
        if not (initial_accumulator >= 0 and math.isfinite(initial_accumulator)):
            raise ValueError(f"initial_accumulator must be >= 0, got {initial_accumulator!r}")
        self.epsilon, self.initial_accumulator = epsilon, initial_accumulator

    def build(self, param):
        return {"h": np.full_like(param, self.initial_accumulator), "tmp": np.empty_like(param)}

    def step(self, param, grad, lr, state) -> None:
        h, tmp = state["h"], state["tmp"]
        np.multiply(grad, grad, out=tmp)
        h += tmp
        scaled_step(param, grad, lr, h, self.epsilon, tmp)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "initial_accumulator": self.initial_accumulator,
        }


class RMSprop(Optimizer):
    """``h = rho * h + (1 - rho) * g**2; p -= lr * g / (sqrt(h) + epsilon)``."""

    name = "rmsprop"

    def __init__(self, learning_rate=0.01, rho: float = 0.99, epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate)
        _check_unit("rho", rho)
        _check_positive("epsilon", epsilon)
        self.rho, self.epsilon = rho, epsilon

    def build(self, param):
        return {"h": np.zeros_like(param), "tmp": np.empty_like(param)}

    def step(self, param, grad, lr, state) -> None:
        h, tmp = state["h"], state["tmp"]
        h *= self.rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - self.rho
        h += tmp
        scaled_step(param, grad, lr, h, self.epsilon, tmp)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam with bias correction folded into the step size (Kingma & Ba, 2015, sec. 2):

    ``m += (1 - beta_1) (g - m); v += (1 - beta_2) (g**2 - v)``,
    ``p -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)``.

    This is the textbook's and Keras' placement of ``epsilon`` (added to the *uncorrected*
    ``sqrt(v)``). With ``epsilon_on_corrected=True`` it is added to ``sqrt(v_hat)`` instead,
    as in the paper's Algorithm 1; the two differ only in how large ``epsilon`` is in effect.
    """

    name = "adam"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        epsilon_on_corrected: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        _check_unit("beta_1", beta_1)
        _check_unit("beta_2", beta_2)
        _check_positive("epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.epsilon_on_corrected = epsilon_on_corrected

    def build(self, param):
        return {"m": np.zeros_like(param), "v": np.zeros_like(param), "tmp": np.empty_like(param)}

    def step(self, param, grad, lr, state) -> None:
        m, v, tmp, t = state["m"], state["v"], state["tmp"], self.iterations
        np.subtract(grad, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp  # m += (1 - beta_1) (g - m)
        np.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp  # v += (1 - beta_2) (g**2 - v)
        correction_1, correction_2 = 1 - self.beta_1**t, 1 - self.beta_2**t
        if self.epsilon_on_corrected:
            np.divide(v, correction_2, out=tmp)
            np.sqrt(tmp, out=tmp)
            step = lr / correction_1
        else:
            np.sqrt(v, out=tmp)
            step = lr * math.sqrt(correction_2) / correction_1
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= step
        param -= tmp

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "epsilon_on_corrected": self.epsilon_on_corrected,
        }


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)
}
DISPLAY_NAMES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}


def get_optimizer(name: str, **hyperparameters) -> Optimizer:
    """Build an optimizer from its registry name, e.g. ``get_optimizer("adam", beta_1=0.9)``."""
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None
    return cls(**hyperparameters)


def arm_label(arm: dict) -> str:
    """An arm's display label: its ``label`` setting, else the optimizer's display name."""
    return arm.get("label") or DISPLAY_NAMES.get(arm["name"], arm["name"])


def build_optimizer(arm: dict) -> Optimizer:
    """The optimizer of a config arm ``{name, label?, **hyperparameters}``."""
    return get_optimizer(
        arm["name"], **{k: v for k, v in arm.items() if k not in ("name", "label")}
    )
