"""Findings: verdict logic on hand-made results, and quoted numbers equal the result files."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import regularized, section_ctx

from nnreport.experiments.batch_norm import section as batch_norm
from nnreport.experiments.optimizers import section as optimizers
from nnreport.experiments.regularization import section as regularization
from nnreport.messages import load_messages
from nnreport.report import findings
from nnreport.report.assets import Paths
from nnreport.report.findings import written
from nnreport.report.sections import build
from nnreport.results import load_record


@pytest.fixture(scope="module")
def t():
    return load_messages("en")


def test_single_runs_give_a_direction_and_say_so():
    assert findings.paired([1.0], [2.0]).verdict == "supported"
    assert findings.paired([3.0], [2.0]).verdict == "not_supported"
    assert findings.paired([1.0], [2.0]).basis == "basis_single"
    assert findings.level([0.3], 0.1).verdict == "supported"


def test_seeds_that_share_minibatches_are_paired():
    # Seed-to-seed spread is large, the per-seed difference small and steady: only a paired
    # test sees it (Welch's would not).
    a, b = np.array([0.30, 0.50, 0.70, 0.40, 0.60]), np.array([0.32, 0.53, 0.71, 0.42, 0.63])
    test = findings.paired(a, b)
    assert test.verdict == "supported" and test.basis == "basis_paired"
    assert test.effect[0] == pytest.approx(-0.022) and test.effect[2] < 0
    assert findings.paired(b, a).verdict == "not_supported"
    assert findings.paired(a, b, "greater").verdict == "not_supported"
    assert findings.paired([0.1, 0.5, 0.2], [0.3, 0.1, 0.4]).verdict == "inconclusive"


def test_a_bimodal_group_gets_a_rank_test():
    collapsed = [0.94, 0.95, 0.10, 0.93, 0.21, 0.94, 0.95, 0.11, 0.94, 0.12]
    steady = [0.962, 0.964, 0.966, 0.963, 0.965]
    test = findings.rank_test(collapsed, steady)
    assert test.verdict == "supported" and test.basis == "basis_rank"
    above, low, high = test.effect  # the probability that a collapsing-arm run ends higher
    assert low <= above <= high < 0.5
    assert findings.rank_test(steady, collapsed).verdict == "not_supported"
    assert findings.rank_test([0.5, 0.6, 0.7], [0.55, 0.65, 0.6]).verdict == "inconclusive"


def test_collapse_counts_use_fishers_exact_test():
    assert findings.fisher_more(8, 10, 0, 10).verdict == "supported"
    assert findings.fisher_more(4, 10, 0, 5).verdict == "inconclusive"
    assert findings.fisher_more(0, 10, 2, 10).verdict == "not_supported"


def test_interval_against_a_threshold():
    assert findings.level([0.30, 0.31, 0.29, 0.30], 0.1).verdict == "supported"
    assert findings.level([0.01, 0.02, 0.015], 0.1).verdict == "not_supported"
    test = findings.level([0.0, 0.2, 0.12], 0.1)
    assert test.verdict == "inconclusive" and test.basis == "basis_interval"


def test_no_finished_run_is_inconclusive():
    assert findings.paired([math.nan], [1.0]).verdict == "inconclusive"
    assert findings.rank_test([math.nan], [1.0]).verdict == "inconclusive"


def test_every_finding_shows_its_hypothesis_rule_and_effect(t):
    finding = findings.make(
        t,
        "sgd_slower",
        findings.paired([0.3, 0.5, 0.4], [0.6, 0.9, 0.7]),
        other="Adam",
        n=3,
        other_loss=0.4,
        sgd_loss=0.7333,
    )
    assert finding.hypothesis.startswith("After the same iterations")
    assert finding.rule.startswith("Paired t-test over seeds")
    assert finding.basis.startswith("paired t-test, 3 seeds, p = ")
    assert "Adam 0.4, SGD 0.733." in finding.text
    assert "95% interval" in finding.text


def remedy_ctx(t, key, result, overfit):
    return section_ctx(t, result[0], key, lambda name: overfit, arrays=result[1])


def test_a_longer_remedy_is_compared_at_its_own_last_epoch(t):
    overfit = regularized([0.24, 0.25, 0.23], [0.76, 0.75, 0.77], epochs=5)
    shorter = regularized([0.05, 0.06, 0.07], [0.70, 0.69, 0.71], epochs=3)
    overfit[1]["train_acc"][:, 2] = overfit[1]["test_acc"][:, 2] + 0.01  # narrow at epoch 2
    narrows, _ = regularization.findings(remedy_ctx(t, "weight_decay", shorter, overfit))
    assert narrows.numbers["epoch"] == 2 and narrows.verdict == "not_supported"


def test_a_remedy_is_not_judged_where_overfitting_is_not_established(t):
    fits = regularized([0.02, 0.03, 0.01], [0.6, 0.61, 0.6])  # test error < 2 x train error
    found = regularization.findings(
        remedy_ctx(t, "dropout", regularized([0.01] * 3, [0.6] * 3), fits)
    )
    assert [f.claim for f in found] == ["dropout_narrows", "dropout_helps"]
    assert all(f.verdict == "not_applicable" for f in found)
    assert found[0].text.startswith("Not judged here: overfitting")
    wider = regularized([0.3, 0.31, 0.3, 0.32, 0.3], [0.7] * 5)
    assert regularization.findings(section_ctx(t, wider[0], "dropout")) == []  # no baseline


def bn_record(plain, with_bn, plain_status=None) -> dict:
    """(repeats, scales) final accuracies of both variants."""
    final = np.stack([np.array(plain, float), np.array(with_bn, float)], axis=1)
    repeats, scales = final.shape[0], final.shape[2]
    status = []
    for r in range(repeats):
        status += [plain_status[r] if plain_status else ["ok"] * scales, ["ok"] * scales]
    return {
        "final_train_acc": final.tolist(),
        "scales": [10.0**-i for i in range(scales)],
        "status": status,
        "settings_used": {"layer_sizes": [64, 10, 10]},
    }


def test_batch_norm_leaves_out_diverged_scales_and_names_where_plain_wins(t):
    plain = [[np.nan, 0.90, 0.50, 0.20], [np.nan, 0.91, 0.52, 0.21], [np.nan, 0.92, 0.49, 0.22]]
    with_bn = [[0.80, 0.85, 0.80, 0.70], [0.81, 0.86, 0.82, 0.71], [0.79, 0.84, 0.81, 0.69]]
    status = [["diverged", "ok", "ok", "ok"]] * 3
    (finding,) = batch_norm.findings(section_ctx(t, bn_record(plain, with_bn, status)))
    assert finding.verdict == "supported"  # 2 of the 3 scales where the plain net trained
    assert finding.numbers["wins"] == 2 and finding.numbers["total"] == 3
    assert finding.numbers["diverged"] == 1 and finding.numbers["diverged_scales"] == "1"
    assert finding.numbers["losses"] == 1 and finding.numbers["loss_scales"] == "0.1"
    assert finding.numbers["learned"] == 3  # the plain net learned where it did not diverge
    assert "Holm over 3 scales" in finding.basis
    (finding,) = batch_norm.findings(section_ctx(t, bn_record(with_bn, plain)))
    assert finding.verdict == "not_supported"


def test_optimizer_verdicts_follow_names_not_labels(t):
    record = {
        "arms": ["sgd", "momentum", "adam"],
        "labels": ["Plain SGD", "Heavy ball", "Adam"],
        "final_loss": [[0.9, 0.2, 0.3], [0.8, 0.25, 0.3], [0.85, 0.2, 0.35]],
        "test_acc": [[0.9, 0.95, 0.95]] * 3,
        "sizes": [64, 10],
    }
    found = optimizers.findings(section_ctx(t, record))
    assert [f.verdict for f in found] == ["supported", "supported"]
    assert "Heavy ball 0.217, SGD 0.85." in found[0].text


def test_arms_at_chance_are_inconclusive(t):
    record = {
        "arms": ["sgd", "adam"],
        "labels": ["SGD", "Adam"],
        "final_loss": [[2.3, 0.2], [2.3, 0.25], [2.3, 0.2]],
        "test_acc": [[0.11, 0.95], [0.10, 0.95], [0.12, 0.96]],
        "sizes": [64, 10],
    }
    (finding,) = optimizers.findings(section_ctx(t, record))
    assert finding.verdict == "inconclusive"
    assert finding.basis == "did not learn: SGD stayed below 0.20"


def test_a_claim_is_judged_only_where_it_applies(t):
    from test_verdicts import FACTORIAL, tf_record

    from nnreport import experiments
    from nnreport.report.sections import applicable_findings

    tf_mlp = experiments.get("tf_mlp")

    def verdicts(scope):
        ctx = section_ctx(t, tf_record(FACTORIAL), "tf_mlp", scope=scope)
        return {f.claim: f for f in applicable_findings(tf_mlp, ctx)}

    on, off = verdicts("mnist"), verdicts("digits")
    assert on.keys() == off.keys()
    assert {c for c, f in off.items() if f.verdict == "not_applicable"} == {"tf_gd_level"}
    assert all(f.verdict != "not_applicable" for f in on.values())
    assert {f.source for f in off.values()} == {"homework", "report"}  # DL-HW#05's, and ours
    assert off["tf_seed_worse"].source == "homework" and off["tf_dropout_costs"].source == "report"


def test_quoted_numbers_are_the_result_numbers(built, t):
    paths = Paths(built / "results", built / "resources")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    for key in ("optimizers", "weight_init", "batch_norm", "overfit", "weight_decay", "dropout"):
        record, _ = load_record(paths.result("digits", key))
        for finding in build(key, "digits", "scikit-learn digits", paths, t)["findings"]:
            assert finding.text in html.replace("&#39;", "'")
            for value in finding.numbers.values():
                assert str(written(value)) in finding.text
            if key == "overfit":
                gap = sum(record["gap"]) / len(record["gap"])
                assert finding.numbers["gap"] == float(f"{gap:.3g}")
            if key == "optimizers":
                sgd = record["arms"].index("sgd")
                loss = np.mean([row[sgd] for row in record["final_loss"]])
                assert finding.numbers["sgd_loss"] == float(f"{loss:.3g}")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_declared_claim_has_its_messages(lang):
    from nnreport import experiments
    from nnreport.messages import catalog_files, merged

    catalog = merged(catalog_files(lang))
    for experiment in experiments.registry().values():
        for claim in experiment.hook("section", "CLAIMS"):
            keys = {f"claim_{claim.key}", f"finding_{claim.key}", f"hypothesis_{claim.key}"}
            assert keys <= set(catalog), claim.key
