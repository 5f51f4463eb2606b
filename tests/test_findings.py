"""Findings: verdict logic on hand-made results, and quoted numbers equal the result files."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import section_ctx

from nnreport.experiments.batch_norm import section as batch_norm
from nnreport.experiments.optimizers import section as optimizers
from nnreport.experiments.regularization import section as regularization
from nnreport.messages import load_messages
from nnreport.report import findings
from nnreport.report.assets import Paths
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
    low, high = test.effect[1:]
    assert low <= test.effect[0] <= high < 0
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
    assert "95\u00a0% interval" in finding.text  # a no-break space before %


def regularized(gap, test_acc, epochs=3) -> tuple[dict, dict]:
    """A result whose last epoch has these gaps and test accuracies (one per seed)."""
    test = np.array(test_acc, float)
    train = test + np.array(gap, float)
    record = {"gap": list(gap), "final_test_acc": list(test), "final_train_acc": list(train)}
    arrays = {
        "train_acc": np.repeat(train[:, None], epochs, axis=1),
        "test_acc": np.repeat(test[:, None], epochs, axis=1),
    }
    return record, arrays


def remedy_ctx(t, key, result, overfit):
    return section_ctx(t, result[0], key, lambda name: overfit, arrays=result[1])


def test_a_remedy_quotes_the_test_accuracy_beside_the_gap(t):
    overfit = regularized([0.24, 0.25, 0.23, 0.26, 0.24], [0.76, 0.75, 0.77, 0.76, 0.75])
    decayed = regularized([0.05, 0.06, 0.07, 0.05, 0.06], [0.70, 0.69, 0.71, 0.70, 0.70])
    (finding,) = regularization.findings(remedy_ctx(t, "weight_decay", decayed, overfit))
    assert finding.verdict == "supported"
    assert finding.text.startswith("After epoch 2, train–test gap: 0.244 without regularisation,")
    assert "Test accuracy: 0.758 → 0.7, significantly lower (change -0.058" in finding.text
    assert "Change of the gap -0.186" in finding.text
    assert "The gap closes because training accuracy falls further" in finding.text
    assert finding.caveat == "caveat_test_fell"
    wider = regularized([0.3, 0.31, 0.3, 0.32, 0.3], [0.7] * 5)
    (finding,) = regularization.findings(remedy_ctx(t, "dropout", wider, overfit))
    assert finding.verdict == "not_supported" and finding.caveat is None
    assert regularization.findings(section_ctx(t, wider[0], "dropout")) == []


def test_a_longer_remedy_is_compared_at_the_common_epoch(t):
    overfit = regularized([0.24, 0.25, 0.23], [0.76, 0.75, 0.77], epochs=3)
    longer = regularized([0.05, 0.06, 0.07], [0.70, 0.69, 0.71], epochs=5)
    longer[1]["train_acc"][:, 2] = longer[1]["test_acc"][:, 2] + 0.3  # wider at epoch 2
    (finding,) = regularization.findings(remedy_ctx(t, "dropout", longer, overfit))
    assert finding.numbers["epoch"] == 2 and finding.verdict == "not_supported"


def test_a_remedy_is_not_judged_where_overfitting_is_not_established(t):
    for gaps in ([0.02, 0.03, 0.01], [0.08, 0.12, 0.09]):  # below 0.1; straddling 0.1
        overfit = regularized(gaps, [0.9, 0.9, 0.9])
        (finding,) = regularization.findings(
            remedy_ctx(t, "dropout", regularized([0.01] * 3, [0.9] * 3), overfit)
        )
        assert finding.verdict == "not_applicable"
        assert finding.text.startswith("Overfitting was not established here")


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
    }


def test_batch_norm_leaves_out_diverged_scales_and_names_where_plain_wins(t):
    plain = [[np.nan, 0.90, 0.50, 0.20], [np.nan, 0.91, 0.52, 0.21], [np.nan, 0.92, 0.49, 0.22]]
    with_bn = [[0.80, 0.85, 0.80, 0.70], [0.81, 0.86, 0.82, 0.71], [0.79, 0.84, 0.81, 0.69]]
    status = [["diverged", "ok", "ok", "ok"]] * 3
    (finding,) = batch_norm.findings(section_ctx(t, bn_record(plain, with_bn, status)))
    assert finding.verdict == "supported"  # 2 of the 3 scales where the plain net trained
    assert finding.numbers["wins"] == 2 and finding.numbers["total"] == 3
    assert finding.numbers["diverged"] == 1 and finding.numbers["diverged_scales"] == "1"
    assert finding.numbers["plain_scales"] == "0.1"
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
    from nnreport import experiments
    from nnreport.report.sections import applicable_findings

    def runs(arm, accs):
        return [{"arm": arm, "status": "ok", "test_acc": a} for a in accs]

    record = {
        "arms": ["gd", "adam_seed", "adam_default"],
        "runs": runs("gd", [0.96, 0.97])
        + runs("adam_seed", [0.9, 0.1])
        + runs("adam_default", [0.97, 0.98]),
        "stats": {"adam_seed": {"runs": 2, "good": 1}, "adam_default": {"runs": 2, "good": 2}},
        "sizes": [64, 10],
    }
    tf_mlp = experiments.get("tf_mlp")

    def verdicts(scope):
        ctx = section_ctx(t, record, scope=scope)
        return {f.claim: f for f in applicable_findings(tf_mlp, ctx)}

    on, off = verdicts("mnist"), verdicts("digits")
    assert on.keys() == off.keys()
    assert {c for c, f in off.items() if f.verdict == "not_applicable"} == {
        "tf_gd_level",
        "tf_seed_collapses",
    }
    assert all(f.verdict != "not_applicable" for f in on.values())
    assert all(f.source == "homework" for f in off.values())


def test_quoted_numbers_are_the_result_numbers(built, t):
    paths = Paths(built / "results", built / "resources")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    for key in ("optimizers", "weight_init", "batch_norm", "overfit", "weight_decay", "dropout"):
        record, _ = load_record(paths.result("digits", key))
        for finding in build(key, "digits", "scikit-learn digits", paths, t)["findings"]:
            assert finding.text in html.replace("&#39;", "'")
            for value in finding.numbers.values():
                assert str(value) in finding.text
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
