"""Findings: verdict logic on hand-made results, and quoted numbers equal the result files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from nnreport.messages import load_messages
from nnreport.report import findings
from nnreport.report.assets import Paths
from nnreport.report.sections import section_findings
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


def test_weight_decay_finding_on_hand_made_records(t):
    overfit = {"gap": [0.24]}
    decayed = {"gap": [0.06]}
    (finding,) = findings.narrows("weight_decay")(decayed, {}, t, overfit)
    assert finding.verdict == "supported"
    assert finding.text == "Weight decay narrows the train–test gap from 0.24 to 0.06."
    (finding,) = findings.narrows("dropout")({"gap": [0.3]}, {}, t, overfit)
    assert finding.verdict == "not_supported"


def test_batch_norm_majority(t):
    record = {"batch_norm_wins": [14], "scales": list(range(16))}
    (finding,) = findings.batch_norm(record, {}, t)
    assert finding.verdict == "supported" and "14 of 16" in finding.text
    record["batch_norm_wins"] = [5]
    assert findings.batch_norm(record, {}, t)[0].verdict == "not_supported"


def test_quoted_numbers_are_the_result_numbers(built, t):
    paths = Paths(built / "results", built / "resources")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    for key in ("optimizers", "weight_init", "batch_norm", "overfit", "weight_decay", "dropout"):
        record, _ = load_record(paths.result("digits", key))
        for finding in section_findings(key, "digits", paths, t):
            assert finding.text in html.replace("&#39;", "'")
            for value in finding.numbers.values():
                assert str(value) in finding.text
            if key == "overfit":
                gap = sum(record["gap"]) / len(record["gap"])
                assert finding.numbers["gap"] == round(gap, 2)
            if key == "optimizers":
                sgd = record["arms"].index("SGD")
                assert finding.numbers["sgd_loss"] == round(record["final_loss"][0][sgd], 2)


def test_every_finding_has_a_message():
    catalog = yaml.safe_load((TEMPLATES / "i18n" / "en.yaml").read_text())
    source = (Path(findings.__file__)).read_text()
    claims = set(re.findall(r'make\(t, "([a-z_]+)"', source)) | {"weight_decay_narrows",
                                                                   "dropout_narrows"}  # fmt: skip
    assert {f"finding_{c}" for c in claims if "{" not in c} <= set(catalog)
