"""Experiment definitions: size adaptation, repeats, divergence, the staged search."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import section_ctx
from matplotlib.collections import PolyCollection

from nnreport import runner
from nnreport.config import experiment_settings, load_config
from nnreport.experiments.common import shard_range
from nnreport.experiments.hparam_search import train as hparam_search
from nnreport.experiments.regularization import train as regularization
from nnreport.experiments.regularization.figures import accuracy_curves
from nnreport.messages import load_messages
from nnreport.runner import run_experiment


@pytest.fixture(scope="module")
def config():
    return load_config(None)


def small(config, key, **changes):
    return {**experiment_settings(config, "digits", key), **changes}


def test_sizes_adapt_to_the_dataset(digits, config):
    settings = small(config, "overfit", train_samples=5000, epochs=3, hidden_sizes=[8], repeats=1)
    record, arrays = run_experiment("overfit", digits, settings)
    used = record["settings_used"]
    assert used["train_samples"] == 1437  # capped by what digits has
    assert used["layer_sizes"] == [64, 8, 10]
    assert used["n_test"] == 360
    assert arrays["train_acc"].shape == (1, 3)


def test_repeats_are_kept_and_drawn_as_bands(digits, config):
    settings = small(config, "dropout", repeats=3, epochs=4, train_samples=200, hidden_sizes=[16])
    record, arrays = run_experiment("dropout", digits, settings)
    assert arrays["train_acc"].shape == (3, 4) and len(record["final_test_acc"]) == 3
    assert len({tuple(row) for row in arrays["train_acc"]}) == 3  # distinct streams
    t = load_messages("en")
    ax = accuracy_curves(record, arrays, "digits", t).axes[0]
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2  # train + test bands
    one = run_experiment("dropout", digits, {**settings, "repeats": 1})[1]
    ax = accuracy_curves({}, one, "digits", t).axes[0]
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)


def test_same_seed_same_result(digits, config):
    settings = small(config, "weight_init", iterations=30, hidden_sizes=[16, 16])
    first = run_experiment("weight_init", digits, settings)[1]["loss"]
    second = run_experiment("weight_init", digits, settings)[1]["loss"]
    assert np.array_equal(first, second)


def test_diverging_run_is_recorded_not_raised(digits, config):
    settings = small(
        config,
        "overfit",
        epochs=3,
        train_samples=200,
        learning_rate=1e30,
        hidden_sizes=[16],
        repeats=1,
    )
    record, arrays = run_experiment("overfit", digits, settings)
    assert record["status"] == [["diverged"]] and record["diverged_at"][0][0] is not None
    assert record["summary"]["test_acc"] is None


def search_settings(config, **changes):
    base = small(
        config,
        "hparam_search",
        hidden_sizes=[16],
        train_samples=200,
        epochs=3,
        trials=7,
        top_k=2,
        stages=2,
        max_stages=3,
        final_repeats=1,
        score_samples=300,
        best_shown=5,
    )
    return {**base, **changes}


def run_sharded(digits, settings, shards: int):
    return runner.run_sharded(hparam_search, digits, {**settings, "shards": shards})


def test_search_is_identical_for_any_shard_count(digits, config):
    settings = search_settings(config)
    one_record, one_arrays = run_sharded(digits, settings, 1)
    three_record, three_arrays = run_sharded(digits, settings, 3)
    assert one_record["stages"] == three_record["stages"]
    assert one_record["repeats"] == three_record["repeats"]
    assert one_arrays.keys() == three_arrays.keys()
    for key in one_arrays:
        assert np.array_equal(one_arrays[key], three_arrays[key]), key


def test_later_stages_sample_inside_the_previous_best_range(digits, config):
    record, _ = run_sharded(digits, search_settings(config), 2)
    first, second = record["stages"][:2]
    assert second["box"] == first["next_box"]
    for key in ("lr", "weight_decay"):
        low, high = first["best_range"][key]
        assert second["box"][key][0] == (low / 10 if "low" in first["edges"][key] else low)
        assert second["box"][key][1] == (high * 10 if "high" in first["edges"][key] else high)
    for trial in second["trials"]:
        assert second["box"]["lr"][0] <= trial["lr"] <= second["box"]["lr"][1]
        low, high = second["box"]["weight_decay"]
        assert low <= trial["weight_decay"] <= high
    last = record["stages"][-1]
    assert record["recommendation"] == last["best_range"]
    assert len(record["stages"]) == (3 if second["goes_on"] else 2)  # a third only if needed
    (repeat,) = record["repeats"]  # the last stage's box, sampled again with its own seeds
    assert repeat["box"] == last["box"] and repeat["trials"] != last["trials"]
    for key, ends in record["spread"].items():
        for (low, high), end in zip(ends, last["best_range"][key], strict=True):
            assert low <= end <= high  # the spread covers the last stage's own ends


def test_diverged_trials_are_counted_and_left_out(digits, config):
    settings = search_settings(
        config, lr_range=[1e-3, 1e30], stages=1, max_stages=1, final_repeats=0, trials=8, top_k=8
    )
    record, _ = run_sharded(digits, settings, 2)
    stage = record["stages"][0]
    bad = [t for t in stage["trials"] if t["status"] == "diverged"]
    good = [t for t in stage["trials"] if t["status"] == "ok"]
    assert bad and good and stage["diverged"] == len(bad)
    assert stage["best_range"]["lr"][1] == max(t["lr"] for t in good)
    assert all(t["val_acc"] is None and t["score"] is None for t in bad)
    assert len(stage["best"]) == len(good)


def test_range_and_narrowing_on_hand_made_trials():
    trials = [
        {"index": i, "lr": lr, "weight_decay": wd, "score": acc, "val_acc": acc, "status": status}
        for i, (lr, wd, acc, status) in enumerate(
            [
                (1e-3, 1e-6, 0.70, "ok"),
                (5e-3, 1e-5, 0.80, "ok"),
                (1e-5, 1e-8, 0.10, "ok"),
                (2e-3, 3e-7, 0.75, "ok"),
                (9e-2, 1e-4, None, "diverged"),
                (4e-3, 2e-6, 0.78, "ok"),
            ]
        )
    ]
    ranked = hparam_search.rank(trials)
    assert [t["index"] for t in ranked] == [1, 5, 3, 0, 2, 4]
    assert hparam_search.best_range(ranked, 3) == {"lr": [2e-3, 5e-3], "weight_decay": [3e-7, 1e-5]}
    assert hparam_search.best_lines(ranked, 2)[0] == (
        "Best-1(val acc:0.8, score:0.8000) | lr:0.005, weight decay:1e-05"
    )
    box = {"lr": [2e-3, 5e-3], "weight_decay": [3e-7, 1e-5]}
    draws = [hparam_search.sample(box, np.random.default_rng(s)) for s in range(200)]
    assert all(2e-3 <= lr <= 5e-3 and 3e-7 <= wd <= 1e-5 for lr, wd in draws)
    assert hparam_search.best_range([t for t in ranked if t["status"] != "ok"], 3) is None


def test_ties_at_the_cut_are_all_kept():
    accs = [0.9, 0.85, 0.81, 0.81, 0.81, 0.81, 0.7]
    trials = [
        {"index": i, "lr": 10.0 ** -(i + 1), "weight_decay": 1e-6, "score": a, "status": "ok"}
        for i, a in enumerate(accs)
    ]
    ranked = hparam_search.rank(trials)
    assert [t["index"] for t in hparam_search.top_trials(ranked, 3)] == [0, 1, 2, 3, 4, 5]
    assert hparam_search.best_range(ranked, 3)["lr"] == [1e-6, 0.1]
    assert len(hparam_search.top_trials(ranked, 2)) == 2


def test_top_trials_at_the_box_edge_extend_the_next_box():
    settings = {"lr_limit": [1e-8, 1.0], "weight_decay_limit": [1e-10, 0.1]}
    box = {"lr": [1e-6, 1e-2], "weight_decay": [1e-8, 1e-4]}
    found = {"lr": [2e-3, 9.8e-3], "weight_decay": [3e-7, 2e-6]}  # lr at the upper edge
    edges = hparam_search.touched_edges(found, box)
    assert edges == {"lr": ["high"], "weight_decay": []}
    after = hparam_search.extended_box(found, edges, settings)
    assert after["lr"] == [2e-3, 9.8e-2] and after["weight_decay"] == found["weight_decay"]
    at_limit = hparam_search.extended_box(
        {"lr": [0.2, 0.9], "weight_decay": [1e-9, 1e-8]},
        {"lr": ["high"], "weight_decay": ["low"]},
        settings,
    )
    assert at_limit == {"lr": [0.2, 1.0], "weight_decay": [1e-10, 1e-8]}  # the hard limits


def test_shards_split_the_trials_evenly():
    parts = [list(shard_range(10, 3, j)) for j in range(3)]
    assert sum(parts, []) == list(range(10)) and {len(p) for p in parts} <= {3, 4}


@pytest.mark.parametrize("name", ["activations", "toy_optimizers"])
def test_general_experiments_run_without_a_dataset(config, name):
    settings = experiment_settings(config, None, name)
    record, _ = run_experiment(name, None, settings)
    assert record["dataset"] is None and record["log"]


def test_toy_sgd_path_matches_the_gradient_steps(config):
    settings = experiment_settings(config, None, "toy_optimizers")
    record, arrays = run_experiment("toy_optimizers", None, settings)
    x, y = -7.0, 2.0
    for step in range(3):  # SGD(0.95): (x, y) -= 0.95 * (x / 10, 2 y)
        x, y = x - 0.95 * x / 10, y - 0.95 * 2 * y
        assert arrays["paths"][0, step + 1] == pytest.approx([x, y])


def test_gradient_check_is_tight_on_the_dataset(digits, config):
    settings = small(config, "gradient_check", hidden_sizes=[6, 5], entries_per_param=None)
    record, _ = run_experiment("gradient_check", digits, settings)
    assert {r["param"] for r in record["rows"]} >= {"W0", "gamma1", "beta1"}
    assert record["max_abs_diff"] < 1e-6
    assert all(r["max_rel_diff"] < 1e-5 for r in record["rows"] if r["grad_scale"] > 1e-6)


def test_gradient_check_reports_zero_gradients_by_their_absolute_error():
    from nnreport.experiments.gradient_check import section
    from nnreport.messages import load_messages

    def row(param, scale, absolute):
        return {
            "param": param,
            "shape": [1, 4],
            "entries": 4,
            "max_abs_diff": absolute,
            "grad_scale": scale,
            "max_rel_diff": absolute / max(scale, 1e-12),
        }

    t = load_messages("en")
    record = {"rows": [row("W0", 1.1, 7e-8), row("b0", 4e-11, 4e-11), row("gamma1", 0.2, 7e-11)]}
    assert section.zero_gradient(record) == {"b0"}  # relative error 1.0: a 0 / 0
    (finding,) = section.findings(section_ctx(t, record, "hparam_search"))
    assert finding.verdict == "supported" and "(b0)" in finding.text
    record["rows"][1]["max_abs_diff"] = 1e-6  # a real error in a zero gradient
    assert section.findings(section_ctx(t, record, "hparam_search"))[0].verdict == "not_supported"


def test_regularization_summary_is_the_mean_of_repeats(digits, config):
    settings = small(
        config, "weight_decay", repeats=2, epochs=3, train_samples=100, hidden_sizes=[8]
    )
    record, arrays = regularization.run(digits, settings, np.random.default_rng(0))
    assert record["summary"]["gap"] == pytest.approx(np.mean(record["gap"]))
    assert record["gap"] == pytest.approx(arrays["train_acc"][:, -1] - arrays["test_acc"][:, -1])


def test_the_longer_baseline_starts_as_the_shorter_run(digits, config):
    """The run without regularisation trains as long as dropout; its first epochs are, bit
    for bit, the shorter run weight decay is compared with."""
    settings = small(config, "overfit", repeats=2, epochs=6, train_samples=200, hidden_sizes=[16])
    short = run_experiment("overfit", digits, settings)[1]
    longer = run_experiment("overfit", digits, {**settings, "epochs": 9})[1]
    for key in ("train_acc", "test_acc"):
        assert longer[key][:, :6].tobytes() == short[key].tobytes()
    steps = short["loss"].shape[1]
    assert longer["loss"][:, :steps].tobytes() == short["loss"].tobytes()
