"""Findings: verdict logic on hand-made results, and quoted numbers equal the result files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from nnreport.experiments.batch_norm import section as batch_norm
from nnreport.experiments.optimizers import section as optimizers
from nnreport.experiments.regularization import section as regularization
from nnreport.messages import load_messages
from nnreport.report import findings
from nnreport.report.assets import Paths
from nnreport.report.sections import build
from nnreport.results import load_record

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture(scope="module")
def t():
    return load_messages(TEMPLATES, "en")


def test_single_runs_give_a_direction_and_say_so():
    assert findings.less([1.0], [2.0]) == ("supported", "single run")
    assert findings.less([3.0], [2.0]) == ("not_supported", "single run")
    assert findings.above([0.3], 0.1) == ("supported", "single run")


def test_repeats_use_welch_t_test():
    verdict, basis = findings.less([0.10, 0.11, 0.12, 0.10], [0.30, 0.31, 0.29, 0.30])
    assert verdict == "supported" and basis.startswith("Welch t-test, p = ")
    verdict, _ = findings.less([0.30, 0.31, 0.29], [0.10, 0.11, 0.12])
    assert verdict == "not_supported"
    verdict, basis = findings.less([0.1, 0.5, 0.2], [0.3, 0.1, 0.4])
    assert verdict == "inconclusive" and float(basis.split("= ")[1]) >= 0.05


def test_interval_against_a_threshold():
    assert findings.above([0.30, 0.31, 0.29, 0.30], 0.1)[0] == "supported"
    assert findings.above([0.01, 0.02, 0.015], 0.1)[0] == "not_supported"
    verdict, basis = findings.above([0.0, 0.2, 0.12], 0.1)
    assert verdict == "inconclusive" and basis.startswith("95 % interval")


def test_no_finished_run_is_inconclusive():
    assert findings.less([math.nan], [1.0])[0] == "inconclusive"


def section_ctx(t, record, key="overfit", load=None, arrays=None):
    return {"record": record, "arrays": arrays or {}, "t": t, "key": key,
            "load": load or (lambda name: None)}  # fmt: skip


def test_weight_decay_finding_on_hand_made_records(t):
    overfit = ({"gap": [0.24]}, {})
    decayed = section_ctx(t, {"gap": [0.06]}, "weight_decay", lambda name: overfit)
    (finding,) = regularization.findings(decayed)
    assert finding.verdict == "supported"
    assert finding.text == "Weight decay narrows the train–test gap from 0.24 to 0.06."
    (finding,) = regularization.findings(
        section_ctx(t, {"gap": [0.3]}, "dropout", lambda n: overfit)
    )
    assert finding.verdict == "not_supported"
    assert regularization.findings(section_ctx(t, {"gap": [0.3]}, "dropout")) == []


def test_batch_norm_majority(t):
    record = {"batch_norm_wins": [14], "scales": list(range(16))}
    (finding,) = batch_norm.findings(section_ctx(t, record))
    assert finding.verdict == "supported" and "14 of 16" in finding.text
    record["batch_norm_wins"] = [5]
    assert batch_norm.findings(section_ctx(t, record))[0].verdict == "not_supported"


def test_optimizer_verdicts_follow_names_not_labels(t):
    record = {"arms": ["sgd", "momentum", "adam"], "labels": ["Plain SGD", "Heavy ball", "Adam"],
              "final_loss": [[0.9, 0.2, 0.3]]}  # fmt: skip
    found = optimizers.findings(section_ctx(t, record))
    assert [f.verdict for f in found] == ["supported", "supported"]
    assert found[0].text.startswith("Heavy ball learns faster than SGD")


def test_a_claim_is_judged_only_where_it_applies(t):
    from nnreport import experiments
    from nnreport.report.sections import applicable_findings

    def runs(arm, accs):
        return [{"arm": arm, "status": "ok", "test_acc": a} for a in accs]

    record = {
        "arms": ["gd", "adam_seed"],
        "runs": runs("gd", [0.96, 0.97]) + runs("adam_seed", [0.9, 0.1]),
        "stats": {"adam_seed": {"runs": 2, "good": 1}},
    }
    tf_mlp = experiments.get("tf_mlp")
    on = {
        f.claim for f in applicable_findings(tf_mlp, {**section_ctx(t, record), "scope": "mnist"})
    }
    off = {
        f.claim for f in applicable_findings(tf_mlp, {**section_ctx(t, record), "scope": "digits"})
    }
    assert on - off == {"tf_gd_level", "tf_seed_collapses"}


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
                assert finding.numbers["gap"] == round(gap, 2)
            if key == "optimizers":
                sgd = record["arms"].index("sgd")
                assert finding.numbers["sgd_loss"] == round(record["final_loss"][0][sgd], 2)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_declared_claim_has_its_messages(lang):
    from nnreport import experiments

    catalog = yaml.safe_load((TEMPLATES / "i18n" / f"{lang}.yaml").read_text())
    for experiment in experiments.registry().values():
        for claim in experiment.section.CLAIMS:
            assert {f"claim_{claim.key}", f"finding_{claim.key}"} <= set(catalog), claim.key
