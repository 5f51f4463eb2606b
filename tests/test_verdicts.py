"""Verdicts that measure what their labels say, on hand-made records: one factor at a time
in the TF study, collapses on any number of classes, families of tests adjusted, open search
ranges kept open, regularisation judged on the gap and on test accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import regularized, section_ctx

from nnreport.experiments.hparam_search import section as search_section
from nnreport.experiments.hparam_search import train as search
from nnreport.experiments.regularization import section as regularization
from nnreport.experiments.tf_mlp import section as tf_section
from nnreport.experiments.tf_mlp.train import arm_stats, collapse_level
from nnreport.messages import load_messages
from nnreport.report.findings import Test as Decision
from nnreport.report.findings import holm, paired

T = load_messages("en")
SGD = {"name": "sgd", "learning_rate": 1.0}
SEED_ADAM = {"name": "adam", "learning_rate": 0.9, "beta_1": 0.6, "beta_2": 0.8, "epsilon": 0.1}
KERAS_ADAM = {
    "name": "adam",
    "learning_rate": 0.001,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-07,
}


def arm(name, optimizer, keep_prob, accuracies):
    return {
        "name": name,
        "optimizer": optimizer,
        "keep_prob": keep_prob,
        "runs": len(accuracies),
        "accuracies": accuracies,
    }


def tf_record(arms, classes=10, step_seconds=None):
    """A merged TF study record from arms given with their runs' accuracies."""
    runs = [
        {"arm": a["name"], "run": n + 1, "status": "ok", "test_acc": acc}
        for a in arms
        for n, acc in enumerate(a["accuracies"])
    ]
    level = collapse_level(classes, max(r["test_acc"] for r in runs))
    return {
        "arms": [a["name"] for a in arms],
        "runs": runs,
        "sizes": [64, 32, classes],
        "collapse_level": level,
        "stats": {a["name"]: arm_stats(a["accuracies"], ["ok"] * a["runs"], level) for a in arms},
        "step_seconds": step_seconds or {},
        "settings_used": {
            "arms": [{k: v for k, v in a.items() if k != "accuracies"} for a in arms]
        },
    }


FACTORIAL = [
    arm("gd", SGD, 1.0, [0.97, 0.975, 0.972, 0.978, 0.974]),
    arm("adam_seed", SEED_ADAM, 0.7, [0.95, 0.1, 0.94, 0.11, 0.93, 0.1, 0.95, 0.94, 0.1, 0.93]),
    arm("adam_default", KERAS_ADAM, 0.7, [0.975, 0.976, 0.974, 0.977, 0.975]),
    arm("gd_dropout", SGD, 0.7, [0.96, 0.962, 0.961, 0.963, 0.96]),
    arm("adam_seed_plain", SEED_ADAM, 1.0, [0.96, 0.1, 0.95, 0.1, 0.94]),
]


def findings_of(record):
    return {
        f.claim: f for f in tf_section.findings(section_ctx(T, record, "tf_mlp", scope="mnist"))
    }


def test_each_tf_comparison_changes_only_the_factors_its_claim_names():
    found = findings_of(tf_record(FACTORIAL))
    for claim, (a, b, _, factors) in tf_section.COMPARISONS.items():
        assert found[claim].verdict != "not_applicable", claim
        arms = {x["name"]: x for x in FACTORIAL}
        assert tf_section.differing(arms[a], arms[b]) == factors
    assert "changes the optimizer and dropout together" in found["tf_seed_worse"].hypothesis


def test_confounded_arms_are_never_compared_as_one_factor():
    """With dropout added to the plain arm, "Adam itself" would compare optimizer and dropout
    at once: it is not judged, and says why."""
    confounded = [dict(a, keep_prob=0.7) if a["name"] == "gd" else a for a in FACTORIAL]
    found = findings_of(tf_record(confounded))
    assert found["tf_adam_worse"].verdict == "not_applicable"
    assert "the optimizer, dropout" in found["tf_adam_worse"].text
    assert found["tf_dropout_costs"].verdict == "not_applicable"  # no factor differs now


def test_a_collapse_is_detected_on_a_10_class_and_a_3_class_dataset_alike():
    for classes, good, failed in ((10, 0.97, 0.12), (3, 0.9, 0.36)):
        level = collapse_level(classes, good)
        assert failed < level < good  # nearer to chance than to the best run
        stats = arm_stats([good, failed, failed, good], ["ok"] * 4, level)
        assert stats["collapsed"] == 2
    # Fashion-MNIST-like accuracies: nothing reaches 0.9, collapses still count
    seed = arm("adam_seed", SEED_ADAM, 0.7, [0.1, 0.1, 0.262, 0.1, 0.552, 0.826, 0.852, 0.1])
    control = arm("adam_default", KERAS_ADAM, 0.7, [0.879, 0.88, 0.882, 0.881, 0.879])
    found = findings_of(tf_record([seed, control], classes=10))
    assert found["tf_seed_collapses"].verdict == "supported"
    three = [
        arm("adam_seed", SEED_ADAM, 0.7, [0.34, 0.35, 0.88, 0.34, 0.33, 0.34]),
        arm("adam_default", KERAS_ADAM, 0.7, [0.88, 0.87, 0.89, 0.88, 0.9]),
    ]
    assert findings_of(tf_record(three, classes=3))["tf_seed_collapses"].verdict == "supported"


def test_the_ablation_is_one_family_and_names_the_setting():
    ablated = [
        arm(
            "adam_seed_lr",
            {**SEED_ADAM, "learning_rate": 0.001},
            0.7,
            [0.97, 0.96, 0.97, 0.975, 0.97],
        ),
        arm(
            "adam_seed_epsilon", {**SEED_ADAM, "epsilon": 1e-07}, 0.7, [0.95, 0.1, 0.94, 0.1, 0.93]
        ),
    ]
    found = [
        f
        for f in tf_section.findings(section_ctx(T, tf_record(FACTORIAL + ablated), "tf_mlp"))
        if f.claim == "tf_ablation"
    ]
    assert [f.numbers["setting"] for f in found] == ["learning rate", "ε"]
    assert all("Holm-adjusted over the 2 tests" in f.basis for f in found)
    assert [f.verdict for f in found] == ["supported", "inconclusive"]


def test_adam_per_step_time_is_judged_by_round():
    times = {
        "gd": [0.0016, 0.0017, 0.00165, 0.0016, 0.0018],
        "adam_seed_plain": [0.0021, 0.0022, 0.0021, 0.0020, 0.0023],
    }
    found = findings_of(tf_record(FACTORIAL, step_seconds=times))["tf_adam_slower_step"]
    assert found.verdict == "supported" and found.key_number.startswith("×1.")


def test_a_family_of_tests_is_holm_adjusted():
    tests = [
        Decision("supported", "rule", "basis", p=p, kind="two_sided", sign=1)
        for p in (0.01, 0.03, 0.04)
    ]
    adjusted = holm(tests)
    assert [t.values["p_adj"] for t in adjusted] == ["0.03", "0.06", "0.06"]
    assert [t.verdict for t in adjusted] == ["supported", "inconclusive", "inconclusive"]
    single = paired([1.0, 1.1, 1.2], [2.0, 2.1, 2.3])
    assert holm([single]) == [single]  # a family of one is left as it is


def test_a_remedy_that_narrows_the_gap_while_test_accuracy_falls_is_no_plain_success():
    overfit = regularized([0.24, 0.25, 0.23, 0.26, 0.24], [0.76, 0.75, 0.77, 0.76, 0.75])
    decayed = regularized([0.05, 0.06, 0.07, 0.05, 0.06], [0.70, 0.69, 0.71, 0.70, 0.70])
    ctx = section_ctx(T, decayed[0], "weight_decay", lambda name: overfit, decayed[1])
    narrows, helps = regularization.findings(ctx)
    assert (narrows.claim, narrows.verdict) == ("weight_decay_narrows", "supported")
    assert (helps.claim, helps.verdict) == ("weight_decay_helps", "not_supported")
    assert narrows.caveat == "caveat_test_fell"


def test_overfitting_is_judged_by_the_ratio_of_errors_whatever_the_dataset():
    easy = regularized([0.097, 0.09, 0.1, 0.095, 0.1], [0.90, 0.905, 0.9, 0.902, 0.9])
    assert regularization.overfit_test(easy[0]).verdict == "supported"  # digits-like
    fits = regularized([0.01, 0.012, 0.008, 0.011, 0.01], [0.7, 0.71, 0.69, 0.7, 0.7])
    assert regularization.overfit_test(fits[0]).verdict == "not_supported"  # underfits


def searched(trial_lrs, box, settings, stage=0):
    trials = [
        {
            "index": i,
            "lr": lr,
            "weight_decay": 1e-6 * (1 + i % 3),
            "status": "ok",
            "score": 0.9 - abs(np.log10(lr) + 1.2) / 10 + i * 1e-5,
            "val_acc": 0.9,
            "train_acc": 1.0,
        }
        for i, lr in enumerate(trial_lrs)
    ]
    return search.stage_entry(settings, stage, trials, box)


SEARCH = {
    "top_k": 3,
    "best_shown": 3,
    "lr_limit": [1e-8, 1.0],
    "weight_decay_limit": [1e-10, 0.1],
    "max_stages": 2,
    "stages": 2,
}


def test_an_open_range_stays_open():
    """The best learning rates crowd the upper edge of the last box the search could run:
    the range is written open and its verdict says so."""
    box = {"lr": [1e-3, 1e-2], "weight_decay": [1e-8, 1e-4]}
    entry = searched([0.0095, 0.0099, 0.0098, 0.001, 0.002, 0.003, 0.004, 0.005], box, SEARCH, 1)
    assert entry["movable"]["lr"] == ["high"] and entry["goes_on"]
    first = searched([1e-4, 1e-3], {"lr": [1e-6, 1e-2], "weight_decay": [1e-8, 1e-4]}, SEARCH)
    record = {
        "stages": [first, entry],
        "repeats": [],
        "recommendation": entry["best_range"],
        "open": entry["movable"],
        "spread": {},
        "split": {"score": 100},
        "settings_used": {**SEARCH, "lr_range": [1e-6, 1e-2]},
    }
    assert not search.goes_on_possible(SEARCH, record)  # max_stages reached
    assert search_section.range_text(record, "lr", T) == "≥ 0.0095"
    found = search_section.findings(section_ctx(T, record, "hparam_search"))
    assert found[0].verdict == "inconclusive" and "upper edge" in found[0].basis
    # open upward, but already above 0.001 … 0.01: moving on could only take it further away
    high = {**record, "recommendation": {**entry["best_range"], "lr": [0.05, 0.1]}}
    (away, _) = search_section.findings(section_ctx(T, high, "hparam_search"))
    assert away.verdict == "not_supported" and "further away" in away.basis
    record["open"] = {"lr": [], "weight_decay": []}
    assert search_section.range_text(record, "lr", T) == "0.0095\u00a0…\u00a00.0099"


def test_the_search_goes_on_only_while_it_can_move():
    box = {"lr": [1e-2, 1.0], "weight_decay": [1e-8, 1e-4]}
    at_limit = searched([0.99, 0.98, 0.97, 0.1, 0.2], box, SEARCH, 1)
    assert at_limit["edges"]["lr"] == ["high"] and at_limit["movable"]["lr"] == []
    assert not at_limit["goes_on"]  # the hard limit 1.0: nowhere further to go


@pytest.mark.parametrize("effect", [True, False])
def test_weight_decay_without_a_detectable_effect_is_said_so(effect):
    rng = np.random.default_rng(1)
    lrs, decays = 10 ** rng.uniform(-3, -1, 60), 10 ** rng.uniform(-8, -4, 60)
    score = 0.9 - (np.log10(lrs) + 2) ** 2 / 10 + rng.normal(0, 0.005, 60)
    if effect:
        score -= (np.log10(decays) + 4) ** 2 / 50
    trials = [
        {"lr": a, "weight_decay": b, "status": "ok", "score": s}
        for a, b, s in zip(lrs, decays, score, strict=True)
    ]
    p = search.decay_effect(trials)["p"]
    assert (p < 0.05) == effect


def test_the_homeworks_picture_is_judged_by_rank_and_collapse_count():
    """The homework's MNIST picture: its arm is bimodal (six runs near 0.94, four near
    chance), so it is compared by rank, its collapses by Fisher's exact test."""
    record = tf_record(
        [
            arm("gd", SGD, 1.0, [0.962, 0.964, 0.966, 0.963, 0.965]),
            arm(
                "adam_seed",
                SEED_ADAM,
                0.7,
                [0.94, 0.95, 0.10, 0.93, 0.21, 0.94, 0.95, 0.11, 0.94, 0.12],
            ),
            arm("adam_default", KERAS_ADAM, 0.7, [0.975, 0.976, 0.974, 0.977, 0.975]),
        ]
    )
    found = findings_of(record)
    assert {claim: f.verdict for claim, f in found.items()} == {
        "tf_gd_level": "supported",  # within one point of 0.965
        "tf_seed_collapses": "inconclusive",  # 4 of 10 against 0 of 5: p = 0.15
        "tf_seed_worse": "supported",  # every run of the homework's arm ranks below gd's
        "tf_settings_blamed": "supported",
    }
    assert found["tf_seed_worse"].basis.startswith("Mann–Whitney U, 10 vs 5 runs")
    assert found["tf_seed_collapses"].basis == (
        "Fisher's exact test, p = 0.15; at least 6 of 10 collapses would reach the 5% level"
    )
    assert "second: 0 (0.5 = no difference; 95% interval 0 … 0.283" in found["tf_seed_worse"].text


def test_about_a_level_is_an_equivalence_test():
    above = findings_of(tf_record([arm("gd", SGD, 1.0, [0.977, 0.976, 0.978, 0.977, 0.976])]))
    assert above["tf_gd_level"].verdict == "not_supported"  # 0.977: outside 0.955 … 0.975
    assert "90% interval [0.976, 0.978]" in above["tf_gd_level"].basis
    assert above["tf_gd_level"].interval == ("0.976", "0.978")  # the interval, not the margin


def test_arms_both_at_chance_make_a_comparison_inconclusive():
    record = tf_record(
        [
            arm("gd", SGD, 1.0, [0.11, 0.10, 0.12, 0.1, 0.1]),
            arm("adam_seed", SEED_ADAM, 0.7, [0.10, 0.10, 0.09, 0.1, 0.11]),
            arm("adam_default", KERAS_ADAM, 0.7, [0.65, 0.66, 0.67, 0.64, 0.66]),
        ]
    )
    found = findings_of(record)
    assert found["tf_seed_worse"].verdict == "inconclusive"
    assert found["tf_seed_worse"].basis.startswith("did not learn:")
    assert found["tf_settings_blamed"].verdict == "supported"  # one arm learned: compared
