"""The TensorFlow study on tiny settings: seeds, shards, lanes, divergence, and the fused
training step against Keras' own optimizers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnreport import UserError, tfnet
from nnreport.experiments.tf_mlp import train as tf_mlp
from nnreport.runner import run_sharded

ADAM = {"name": "adam", "learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
SETTINGS = {
    "seed": 5,
    "hidden_sizes": [16, 8],
    "activation": "sigmoid",
    "steps": 27,  # 3 epochs of the 480 // 50 = 9 minibatches
    "batch_size": 50,
    "train_samples": 600,
    "train_fraction": 0.8,
    "holdout_samples": 200,
    "shards": 1,
    "arms": [
        {
            "name": "gd",
            "optimizer": {"name": "sgd", "learning_rate": 0.5},
            "keep_prob": 1.0,
            "runs": 2,
        },
        {"name": "adam_default", "optimizer": ADAM, "keep_prob": 0.7, "runs": 3},
    ],
    "gd_sweep": {"arm": "gd", "learning_rates": [0.1, 1.0]},
    "timing": {"rounds": 1, "steps": 5},
}


def with_changes(**changes) -> dict:
    settings = copy.deepcopy(SETTINGS)
    settings.update(changes)
    return settings


def numbers(record: dict, arrays: dict) -> list:
    return [
        (r["arm"], r["run"], r["seed"], r["test_acc"], r["holdout_acc"]) for r in record["runs"]
    ] + [arrays["cost"].tolist()]


def test_same_seed_same_numbers_whatever_the_shard_or_lane(digits):
    one = run_sharded(tf_mlp, digits, SETTINGS)
    again = run_sharded(tf_mlp, digits, SETTINGS)
    sharded = run_sharded(tf_mlp, digits, with_changes(shards=3), threads=2)
    assert numbers(*one) == numbers(*again) == numbers(*sharded)
    seeds = [r["seed"] for r in one[0]["runs"]]
    assert len(set(seeds)) == len(seeds) == 2 + 3 + 2
    accuracies = [r["test_acc"] for r in one[0]["runs"] if r["arm"] == "adam_default"]
    assert len(set(accuracies)) > 1  # distinct seeds give distinct runs


def test_a_different_seed_changes_the_numbers(digits):
    first = run_sharded(tf_mlp, digits, SETTINGS)
    other = run_sharded(tf_mlp, digits, with_changes(seed=6))
    assert numbers(*first) != numbers(*other)


def test_split_uses_the_fraction_when_the_split_is_small(digits):
    x, _, x_hold, _ = tf_mlp.split(digits, with_changes(train_samples=55000))
    assert len(x) == int(len(digits.x_train) * 0.8)
    assert len(x_hold) == min(200, len(digits.x_train) - len(x))
    x, _, x_hold, _ = tf_mlp.split(digits, SETTINGS)
    assert (len(x), len(x_hold)) == (600, 200)


def test_a_diverging_run_is_recorded_and_left_out_of_the_statistics(digits):
    blowing_up = {"name": "sgd", "learning_rate": 1e38}
    arms = [
        SETTINGS["arms"][1],
        {"name": "gd", "optimizer": blowing_up, "keep_prob": 1.0, "runs": 1},
    ]
    settings = with_changes(arms=arms, gd_sweep={"arm": "gd", "learning_rates": []})
    record, arrays = run_sharded(tf_mlp, digits, settings)
    bad = [r for r in record["runs"] if r["arm"] == "gd"][0]
    assert bad["status"] == "diverged" and bad["test_acc"] is None
    assert bad["diverged_epoch"] >= 1 and np.isnan(arrays["cost"][-1, -1])
    assert record["stats"]["gd"] == {
        "runs": 1,
        "diverged": 1,
        "collapsed": 1,
        "mean": None,
        "min": None,
        "max": None,
        "std": None,
    }
    assert record["stats"]["adam_default"]["diverged"] == 0


def test_merge_refuses_missing_shards(digits):
    settings = with_changes(shards=2)
    first = tf_mlp.run_shard(digits, settings, 0, 0)
    with pytest.raises(UserError, match="shard results do not match"):
        tf_mlp.merge(settings, [first])


def test_fused_step_matches_keras_optimizers(tensorflow):
    """One epoch of our compiled loop equals Keras' SGD and Adam on the same batches."""
    import keras

    rng = np.random.default_rng(0)
    x = rng.random((40, 12), dtype=np.float32)
    y = rng.integers(0, 3, 40)
    sizes = [12, 6, 3]
    for spec in ({"name": "sgd", "learning_rate": 0.3}, ADAM):
        trainer = tfnet.MLPTrainer(sizes, "sigmoid", spec["name"], 1.0, 10, x, y)
        order_rng = trainer.lanes[0].reset(trainer.tf, sizes, 11, spec)
        start = [w.numpy() for w in trainer.lanes[0].weights]
        trainer.run([11], [spec], 1, (x, y))
        ours = [w.numpy() for w in trainer.lanes[0].weights]
        model = tfnet.keras_model(sizes, "sigmoid", 1.0)
        model.set_weights([a for w in start for a in (w, np.zeros(w.shape[1], np.float32))])
        model.compile(
            optimizer=tfnet.keras_optimizer(spec),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        for batch in order_rng.permutation(40).reshape(4, 10):
            model.train_on_batch(x[batch], y[batch])
        theirs = model.get_weights()[::2]
        for a, b, s in zip(ours, theirs, start, strict=True):
            assert np.abs(a - s).max() > 1e-3  # the weights moved
            np.testing.assert_allclose(a, b, atol=2e-6)


def test_the_sweep_never_picks_a_rate_at_chance():
    rows = [
        {"arm": "sweep", "learning_rate": lr, "status": "ok", "holdout_acc": acc, "test_acc": acc}
        for lr, acc in ((0.1, 0.12), (1.0, 0.15), (3.0, 0.11))
    ]
    assert tf_mlp.sweep_summary(rows, SETTINGS, 10)["best"] is None
    rows[1]["holdout_acc"] = 0.5
    assert tf_mlp.sweep_summary(rows, SETTINGS, 10)["best"] == 1.0


def test_every_dataset_gets_the_homeworks_optimizer_steps():
    settings = {"steps": 8250, "batch_size": 100}
    assert tf_mlp.epochs(settings, 55000) == 15
    assert tf_mlp.epochs(settings, 1149) == 750  # digits: 11 minibatches per epoch
    assert tf_mlp.epochs(settings, 1149) * (1149 // 100) >= 8250


def test_benchmark_line_has_the_model_fit_baseline(digits):
    from nnreport.bench import benchmark

    line = benchmark("tf_mlp", digits, with_changes(steps=18), threads=2)
    assert line["runs"] == 2 * len(SETTINGS["arms"]) and line["lanes"] == 2
    assert line["baseline_seconds"] > 0 and line["seconds"] > 0
    assert line["speedup"] == pytest.approx(line["baseline_seconds"] / line["seconds"], rel=0.01)
    assert 0 <= line["test_acc_mean"] <= 1 and 0 <= line["baseline_test_acc_mean"] <= 1
