"""The TensorFlow study's training core: an MLP trained by one compiled loop per epoch.

Faster than ``model.fit`` on the same model for three reasons: the whole epoch (gather of the
minibatch, forward, backward, update) runs as one ``tf.function`` over tensors held in
memory, so there is one host round-trip per epoch instead of one per step; the updates use
TensorFlow's fused kernels (``ResourceApplyAdam``, ``ResourceApplyGradientDescent``, the
kernels behind TF 1's ``AdamOptimizer`` that the homework used) instead of a dozen
element-wise ops per variable; and there are no callbacks, metrics or Keras layers.

The model: Dense layers with Glorot-uniform weights and zero biases (the Keras default),
``activation`` on the hidden layers, inverted dropout with keep probability ``keep_prob``
after every hidden layer while training, softmax cross-entropy on the logits. Each epoch
visits ``n // batch`` minibatches of a fresh permutation (the remainder is left out, as in
the homework's ``int(n / batch)`` loop).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HYPERPARAMETERS = ("learning_rate", "beta_1", "beta_2", "epsilon")


def configure(threads: int | None, seed: int) -> None:
    """Deterministic ops, ``threads`` threads for TensorFlow's pools, Keras' global seeds."""
    import keras
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # the runtime is already up (tests, second call): keep it
            pass
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


@dataclass
class RunResult:
    """One training run: mean cost per epoch, final accuracies and how it ended."""

    seed: int
    cost: list[float]
    test_acc: float | None
    val_acc: float | None
    status: str = "ok"
    diverged_epoch: int | None = None
    seconds: float = 0.0


class Lane:
    """The variables of one model: weights, biases, optimizer slots and dropout stream."""

    def __init__(self, tf, sizes):
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        self.weights = [tf.Variable(tf.zeros((a, b))) for a, b in pairs]
        self.biases = [tf.Variable(tf.zeros((b,))) for _, b in pairs]
        self.params = [*self.weights, *self.biases]
        self.slots = [
            (tf.Variable(tf.zeros_like(p)), tf.Variable(tf.zeros_like(p))) for p in self.params
        ]
        self.beta_powers = (tf.Variable(1.0), tf.Variable(1.0))
        self.hyper = {name: tf.Variable(0.0) for name in HYPERPARAMETERS}
        self.noise = tf.random.Generator.from_seed(0)

    def reset(self, tf, sizes, seed: int, optimizer: dict) -> np.random.Generator:
        """Fresh weights, zero optimizer state and a new dropout stream, all from ``seed``,
        and the ``optimizer``'s hyperparameters; returns the generator the minibatch order
        is drawn from."""
        for name, variable in self.hyper.items():
            variable.assign(optimizer.get(name, 0.0))
        init_seed, noise_seed, order_seed = np.random.SeedSequence(seed).spawn(3)
        init = np.random.default_rng(init_seed)
        for w, (a, b) in zip(self.weights, zip(sizes[:-1], sizes[1:], strict=True), strict=True):
            w.assign(glorot_uniform(init, a, b))
        for variable in [*self.biases, *(s for pair in self.slots for s in pair)]:
            variable.assign(tf.zeros_like(variable))
        for power in self.beta_powers:
            power.assign(1.0)
        self.noise.reset_from_seed(int(noise_seed.generate_state(1)[0]))
        return np.random.default_rng(order_seed)


class MLPTrainer:
    """Trains ``lanes`` independent MLPs side by side in one graph (TensorFlow runs the
    lanes' ops on different cores); :meth:`run` trains one group of seeds."""

    def __init__(
        self,
        sizes,
        activation: str,
        optimizer: str,
        keep_prob: float,
        batch_size: int,
        x_train: np.ndarray,
        y_train: np.ndarray,
        lanes: int = 1,
    ):
        import tensorflow as tf

        self.tf = tf
        self.sizes = [int(s) for s in sizes]
        self.activation = getattr(tf.nn, activation)
        self.optimizer = optimizer  # "sgd" or "adam"; the hyperparameters live in the lanes
        self.keep_prob = float(keep_prob)
        self.batch = int(batch_size)
        self.x = tf.constant(x_train, tf.float32)
        self.y = tf.constant(y_train, tf.int32)
        self.steps = len(x_train) // self.batch
        self.lanes = [Lane(tf, self.sizes) for _ in range(lanes)]
        self._epoch = tf.function(self._epoch_graph)
        self._predict = tf.function(self._logits, reduce_retracing=True)

    def _logits(self, lane: Lane, x, train: bool = False):
        h = x
        last = len(lane.weights) - 1
        for i, (w, b) in enumerate(zip(lane.weights, lane.biases, strict=True)):
            h = self.tf.matmul(h, w) + b
            if i < last:
                h = self.activation(h)
                if train and self.keep_prob < 1.0:
                    keep = lane.noise.uniform(self.tf.shape(h)) < self.keep_prob
                    h = self.tf.where(keep, h / self.keep_prob, 0.0)
        return h

    def _apply(self, lane: Lane, grads) -> None:
        tf, hyper = self.tf, lane.hyper
        lr = hyper["learning_rate"]
        if self.optimizer == "sgd":
            for p, g in zip(lane.params, grads, strict=True):
                tf.raw_ops.ResourceApplyGradientDescent(var=p.handle, alpha=lr, delta=g)
            return
        beta_1, beta_2 = hyper["beta_1"], hyper["beta_2"]
        p1, p2 = lane.beta_powers
        p1.assign(p1 * beta_1)
        p2.assign(p2 * beta_2)
        for p, (m, v), g in zip(lane.params, lane.slots, grads, strict=True):
            tf.raw_ops.ResourceApplyAdam(
                var=p.handle,
                m=m.handle,
                v=v.handle,
                beta1_power=p1,
                beta2_power=p2,
                lr=lr,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=hyper["epsilon"],
                grad=g,
            )

    def _step(self, lane: Lane, idx):
        tf = self.tf
        xb, yb = tf.gather(self.x, idx), tf.gather(self.y, idx)
        with tf.GradientTape() as tape:
            logits = self._logits(lane, xb, train=True)
            cost = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits)
            )
        self._apply(lane, tape.gradient(cost, lane.params))
        return cost

    def _epoch_graph(self, orders, active: int):
        """Train lane k < ``active`` on the minibatches ``orders[k]`` (steps, batch); return
        the mean cost of each lane. (A Python int: one graph per number of active lanes.)"""
        tf = self.tf
        total = tf.zeros((active,))
        for step in tf.range(self.steps):
            costs = [self._step(self.lanes[k], orders[k, step]) for k in range(active)]
            total += tf.stack(costs)
        return total / self.steps

    def train_epoch(self, rng: np.random.Generator) -> float:
        """One epoch of lane 0 on minibatches drawn from ``rng``; its mean cost (the lane
        must have been reset). For timing: the same graph as :meth:`run`'s epochs."""
        n, used = int(self.x.shape[0]), self.steps * self.batch
        order = rng.permutation(n)[:used].reshape(1, self.steps, self.batch).astype(np.int32)
        return float(self._epoch(self.tf.constant(order), 1).numpy()[0])

    def accuracy(self, lane: Lane, x: np.ndarray, y: np.ndarray, chunk: int = 10000) -> float:
        correct = 0
        for start in range(0, len(x), chunk):
            batch = self.tf.constant(x[start : start + chunk])
            logits = self._predict(lane, batch).numpy()
            correct += int((logits.argmax(axis=1) == y[start : start + chunk]).sum())
        return correct / len(x)

    def run(
        self, seeds, optimizers: list[dict], epochs: int, test, validation=None, on_epoch=None
    ) -> list[RunResult]:
        """Train one model per seed (at most one per lane) for ``epochs``, each with its
        optimizer settings (of this trainer's kind); ``test`` and ``validation`` are (x, y)
        pairs. A run whose epoch cost turns NaN or Inf ends as ``diverged`` and claims no
        accuracy."""
        if not 0 < len(seeds) <= len(self.lanes):
            raise ValueError(f"{len(seeds)} seeds for {len(self.lanes)} lanes")
        if any(spec["name"] != self.optimizer for spec in optimizers):
            raise ValueError(f"this trainer runs {self.optimizer} only")
        lanes = self.lanes[: len(seeds)]
        order_rngs = [
            lane.reset(self.tf, self.sizes, s, spec)
            for lane, s, spec in zip(lanes, seeds, optimizers, strict=True)
        ]
        results = [RunResult(seed=int(s), cost=[], test_acc=None, val_acc=None) for s in seeds]
        n, used = int(self.x.shape[0]), self.steps * self.batch
        start = time.perf_counter()
        for epoch in range(epochs):
            orders = np.stack(
                [rng.permutation(n)[:used].reshape(self.steps, self.batch) for rng in order_rngs]
            ).astype(np.int32)
            costs = self._epoch(self.tf.constant(orders), len(lanes)).numpy()
            for result, cost in zip(results, costs, strict=True):
                if result.status == "ok":
                    result.cost.append(float(cost))
                    if not np.isfinite(cost):
                        result.status, result.diverged_epoch = "diverged", epoch + 1
            if on_epoch:
                on_epoch(epoch + 1)
            if all(r.status != "ok" for r in results):
                break
        seconds = round((time.perf_counter() - start) / len(seeds), 3)
        for lane, result in zip(lanes, results, strict=True):
            result.seconds = seconds
            if result.status == "ok":
                result.test_acc = self.accuracy(lane, *test)
                result.val_acc = self.accuracy(lane, *validation) if validation else None
        return results


def keras_model(sizes, activation: str, keep_prob: float):
    """The same MLP as a plain Keras ``Sequential`` (the benchmark's baseline)."""
    import keras

    layers = [keras.Input((sizes[0],))]
    for width in sizes[1:-1]:
        layers.append(keras.layers.Dense(width, activation=activation))
        if keep_prob < 1.0:
            layers.append(keras.layers.Dropout(1.0 - keep_prob))
    layers.append(keras.layers.Dense(sizes[-1]))
    return keras.Sequential(layers)


def keras_optimizer(spec: dict):
    import keras

    if spec["name"] == "sgd":
        return keras.optimizers.SGD(spec["learning_rate"])
    return keras.optimizers.Adam(
        spec["learning_rate"],
        beta_1=spec["beta_1"],
        beta_2=spec["beta_2"],
        epsilon=spec["epsilon"],
    )


def fit_baseline(
    sizes,
    activation,
    optimizer: dict,
    keep_prob: float,
    batch_size: int,
    epochs: int,
    seed: int,
    x_train,
    y_train,
    test,
) -> float:
    """Train the same run with plain ``model.fit``; return its test accuracy."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras_model(sizes, activation, keep_prob)
    model.compile(
        optimizer=keras_optimizer(optimizer),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return float(model.evaluate(*test, verbose=0)[1])
