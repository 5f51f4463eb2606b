"""The real Snakemake pipeline on the smoke config, in a scratch copy of the project."""

from __future__ import annotations

import os
import re
import time

import pytest
from pipeline import copy_workflow, planned_jobs, snakemake
from pypdf import PdfReader

from nnreport.results import load_record

DATASETS = ("mnist", "fashion_mnist", "digits")


def test_report_has_every_section_and_both_formats(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    for dataset in DATASETS:
        assert f'id="{dataset}-dataset"' in html
        assert f'id="{dataset}-optimizers"' in html
    assert html.count("<img ") == 2 * len(DATASETS)
    pdf = PdfReader(built / "reports" / "report.pdf")
    assert len(pdf.pages) >= 2 * len(DATASETS)
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Fashion-MNIST" in text and "T-shirt/top" in text and "RMSprop" in text


def test_html_is_self_contained(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("data:", "#")) for s in sources)
    assert "@import" not in html and "url(http" not in html


def test_report_numbers_are_the_result_numbers(built):
    record, arrays = load_record(built / "results" / "digits" / "optimizers.json")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    section = html.split('id="digits-optimizers"')[1].split("</section>")[0]
    for label, acc in zip(record["arms"], record["test_acc"], strict=True):
        assert re.search(rf"<td>{label}</td><td[^>]*>[^<]*</td><td[^>]*>{acc:.4f}</td>", section)
    assert arrays["loss"].shape == (record["settings_used"]["iterations"], len(record["arms"]))


def test_logs_and_benchmarks_are_written(built):
    assert (built / "logs" / "mnist" / "optimizers.log").read_text().strip()
    assert (built / "benchmarks" / "mnist" / "optimizers.tsv").read_text().startswith("s\t")


def test_rerun_does_nothing(built):
    assert planned_jobs(built) == {}


def test_template_edit_reruns_only_the_render(built):
    style = built / "templates" / "style.css"
    style.write_text(style.read_text() + "\n/* edited */\n")
    later = time.time() + 5
    os.utime(style, (later, later))
    assert planned_jobs(built) == {"render_report": 1, "all": 1}


def test_one_dataset_setting_reruns_only_that_experiment(built):
    extra = built / "config" / "digits-change.yaml"
    extra.write_text("per_dataset: {digits: {optimizers: {iterations: 40}}}\n")
    jobs = planned_jobs(built, "--configfile", "config/smoke.yaml", str(extra))
    assert jobs == {"run_experiment": 1, "experiment_figure": 1, "render_report": 1, "all": 1}


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("experiments: {optimizers: {arms: [{name: sgd, learning_rate: -0.1}]}}", "learning_rate"),
        ("experiments: {optimizers: {arms: [{name: lbfgs}]}}", "name"),
        ("datasets: [mnist, cifar10]", "datasets"),
        ("experiments: {optimizers: {iterations: many}}", "iterations"),
    ],
)
def test_bad_config_is_refused_before_any_job(tmp_path, override, key):
    workdir = copy_workflow(tmp_path / "wf")
    (workdir / "config" / "bad.yaml").write_text(override + "\n")
    result = snakemake(workdir, "--configfile", "config/smoke.yaml", "config/bad.yaml", check=False)
    assert result.returncode != 0
    assert key in result.stderr
    assert not (workdir / "results").exists() and not (workdir / "resources").exists()
