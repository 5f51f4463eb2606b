"""Minibatch training of a model stack, with per-model divergence handling.

Minibatches are drawn as in the textbook: each iteration takes ``batch_size`` indices
uniformly with replacement, from an explicit ``np.random.Generator``; all models of the stack
see the same minibatch. An "epoch" is ``max(n_train // batch_size, 1)`` iterations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import Optimizer


def iterations_per_epoch(n_train: int, batch_size: int) -> int:
    return max(n_train // batch_size, 1)


@dataclass
class History:
    """What a training run recorded; arrays have one column per model.

    ``loss``: (iterations, K), the training loss of each step's own forward pass (NaN from the
    step a model diverged at). ``train_acc``/``test_acc``: (evaluations, K), measured at
    iterations ``eval_iterations``. ``diverged_at``: the step whose loss was not finite, or None.
    """

    loss: np.ndarray
    eval_iterations: list[int] = field(default_factory=list)
    train_acc: np.ndarray | None = None
    test_acc: np.ndarray | None = None
    diverged_at: list[int | None] = field(default_factory=list)

    @property
    def status(self) -> list[str]:
        return ["ok" if step is None else "diverged" for step in self.diverged_at]


def train(
    net: MultiLayerNet,
    optimizer: Optimizer | Sequence[Optimizer],
    x_train: np.ndarray,
    y_train: np.ndarray,
    rng: np.random.Generator,
    batch_size: int,
    iterations: int,
    eval_every: int | None = None,
    eval_sets: Sequence[tuple[np.ndarray, np.ndarray]] = (),
    on_step: Callable[[int], None] | None = None,
) -> History:
    """Train ``net`` for ``iterations`` steps.

    Args:
        optimizer: one optimizer for the whole stack, or one per model.
        eval_every: evaluate accuracy on ``eval_sets`` (train set, test set, ...) at step 0,
            every ``eval_every`` steps and after the last step; None = never.
        on_step: called with the step number after each step (progress display).

    A model whose loss turns NaN or Inf is recorded as diverged at that step, its weights are
    zeroed so nothing non-finite spreads, and its later losses and accuracies are NaN.
    Training stops early when every model has diverged.
    """
    k = net.n_models
    per_model_opt = not isinstance(optimizer, Optimizer)
    if per_model_opt and len(optimizer) != k:
        raise ValueError(f"{len(optimizer)} optimizers for {k} models")
    rows = [{"flat": net.flat[i : i + 1]} for i in range(k)]
    grad_rows = [{"flat": net.flat_grad[i : i + 1]} for i in range(k)]
    history = History(loss=np.full((iterations, k), np.nan, dtype=np.float32))
    history.diverged_at = [None] * k
    evals: list[np.ndarray] = []
    alive = np.ones(k, dtype=bool)

    def evaluate(step: int) -> None:
        history.eval_iterations.append(step)
        scores = [np.where(alive, net.accuracy(x, y), np.nan) for x, y in eval_sets]
        evals.append(np.array(scores))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if eval_every:
            evaluate(0)
        for step in range(iterations):
            batch = rng.integers(0, len(x_train), size=batch_size)
            loss, _ = net.gradient(x_train[batch], y_train[batch])
            finite = np.isfinite(loss)
            if not np.all(finite[alive]):
                for index in np.flatnonzero(alive & ~finite):
                    history.diverged_at[index] = step
                    net.flat[index] = 0
                    net.flat_grad[index] = 0
                alive &= finite
            history.loss[step] = np.where(alive, loss, np.nan)
            if not alive.any():
                break
            if per_model_opt:
                for opt, row, grad_row in zip(optimizer, rows, grad_rows, strict=True):
                    opt.update(row, grad_row)
            else:
                optimizer.update({"flat": net.flat}, {"flat": net.flat_grad})
            done = step + 1
            if eval_every and (done % eval_every == 0 or done == iterations):
                evaluate(done)
            if on_step:
                on_step(done)
    if eval_every:  # stopped early: the evaluations never reached count as NaN
        planned = sorted({*range(0, iterations + 1, eval_every), iterations})
        for step in planned[len(evals) :]:
            history.eval_iterations.append(step)
            evals.append(np.full((len(eval_sets), k), np.nan))
    if evals:
        stacked = np.stack(evals)  # (evaluations, sets, K)
        history.train_acc = stacked[:, 0]
        history.test_acc = stacked[:, 1] if stacked.shape[1] > 1 else None
    return history
