"""Extending nnreport the documented way: an experiment added as a unit (its folder, its
settings schema, its messages), datasets declared in the config (an IDX folder of 14x14
images and an npz of flat feature vectors), and a relabelled optimizer arm; then the real
smoke build, whose report must hold every section for both datasets."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import REPO
from pipeline import copy_workflow, snakemake
from test_pipeline import expected_figures, experiment_body, sections

from nnreport import data, experiments

EXAMPLE = REPO / "tests" / "example_unit"
DATASETS = ("mnist14", "digits_flat")
LABELLED_ARMS = [
    {"name": "sgd", "label": "Plain SGD", "learning_rate": 0.01},
    {"name": "momentum", "learning_rate": 0.01, "momentum": 0.9},
    {"name": "adagrad", "learning_rate": 0.01},
    {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999},
]


def add_unit(workdir) -> None:
    """docs/extending.md's one step: the unit's folder, copied in; no shared file is edited."""
    shutil.copytree(
        EXAMPLE,
        workdir / "src" / "nnreport" / "experiments" / "centroid",
        ignore=shutil.ignore_patterns("__pycache__"),
    )


def write_idx(folder, images: np.ndarray, labels: np.ndarray, prefix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, array, magic in (
        ("images-idx3", images, data.IMAGE_MAGIC),
        ("labels-idx1", labels, data.LABEL_MAGIC),
    ):
        payload = data.idx_payload(array, magic)
        (folder / f"{prefix}-{kind}-ubyte.gz").write_bytes(gzip.compress(payload))


def write_datasets(workdir, data_dir) -> None:
    """mnist14: 3,000 + 500 MNIST images pooled 2x2 to 14x14; digits_flat: scikit-learn's
    digits as 64 float features in [0, 1] (no image shape)."""
    from sklearn.datasets import load_digits

    mnist = data.read_dataset("mnist", str(data_dir), False, None)
    for split, count, prefix in (("train", 3000, "train"), ("test", 500, "t10k")):
        images = mnist[f"x_{split}"][:count].reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))
        write_idx(
            workdir / "data" / "mnist14",
            images.round().astype(np.uint8),
            mnist[f"y_{split}"][:count].astype(np.uint8),
            prefix,
        )
    digits = load_digits()
    x, y = (digits.data / 16).astype(np.float32), digits.target.astype(np.int64)
    np.savez(
        workdir / "data" / "digits_flat.npz",
        x_train=x[:1400],
        y_train=y[:1400],
        x_test=x[1400:],
        y_test=y[1400:],
    )


@pytest.fixture(scope="module")
def extended(tmp_path_factory, data_dir):
    workdir = copy_workflow(tmp_path_factory.mktemp("extended"))
    add_unit(workdir)
    write_datasets(workdir, data_dir)
    config = {
        "datasets": list(DATASETS),
        "custom_datasets": {
            "mnist14": {"format": "idx", "path": "mnist14", "title": "MNIST 14x14"},
            "digits_flat": {"format": "npz", "path": "digits_flat.npz", "title": "Flat digits"},
        },
        "experiments": {"centroid": {"train_samples": 500}, "optimizers": {"arms": LABELLED_ARMS}},
    }
    (workdir / "config" / "extended.yaml").write_text(yaml.safe_dump(config))
    snakemake(workdir, "--configfile", "config/smoke.yaml", "config/extended.yaml")
    return workdir


def test_the_unit_is_one_folder_and_no_shared_file_changed(extended):
    """Adding the experiment added its folder and the user's config file, and edited nothing
    the project already had."""
    added = extended / "src" / "nnreport" / "experiments" / "centroid"
    for folder in ("src", "rules", "templates", "config"):
        for path in (extended / folder).rglob("*"):
            if path.is_dir() or "__pycache__" in path.parts or path.is_relative_to(added):
                continue
            relative = path.relative_to(extended)
            if relative == Path("config/extended.yaml"):
                continue
            assert path.read_bytes() == (REPO / relative).read_bytes(), relative


def test_added_experiment_has_its_section_figure_and_findings(extended):
    html = (extended / "reports" / "report.html").read_text(encoding="utf-8")
    found = sections(html)
    body = experiment_body(html, "centroid")
    assert "Nearest class centroid" in body and body.count("<img ") == len(DATASETS)
    assert body.count("src/nnreport/experiments/centroid/train.py") == 1  # code printed once
    for dataset in DATASETS:
        assert "The nearest centroid reaches" in found[f"{dataset}-centroid"]  # its finding
    assert "The nearest centroid beats guessing the majority class" in found["results"]


def test_declared_datasets_get_every_section(extended):
    html = (extended / "reports" / "report.html").read_text(encoding="utf-8")
    found = sections(html)
    assert found["datasets"].count("<img ") == 2 * len(DATASETS)  # samples and balance each
    for dataset in DATASETS:
        for key in (*experiments.names(needs_dataset=True), "centroid"):
            assert f"{dataset}-{key}" in found, (dataset, key)
    for key in experiments.names(needs_dataset=True):  # "centroid" is not registered here
        expected = sum(expected_figures(dataset, key) for dataset in DATASETS)
        assert experiment_body(html, key).count("<img ") == expected, key
    meta = yaml.safe_load((extended / "resources" / "datasets" / "mnist14.json").read_text())
    assert meta["image_shape"] == [14, 14] and meta["source"] == "mnist14"
    assert "feature vectors, not images" in found["datasets"]  # digits_flat's panel
    assert "<code>digits_flat.npz</code>" in found["provenance"]  # its source, in the appendix


def test_a_label_changes_text_and_no_verdict(extended, built):
    labelled_html = (extended / "reports" / "report.html").read_text(encoding="utf-8")
    labelled = sections(labelled_html)
    plain = sections((built / "reports" / "report.html").read_text(encoding="utf-8"))
    section = labelled["mnist14-optimizers"].split("</section>")[0]
    assert "Plain SGD" in experiment_body(labelled_html, "optimizers")  # its table row

    def verdicts(body: str) -> int:
        return len(re.findall(r'<span class="verdict verdict-', body.split("</section>")[0]))

    assert verdicts(section) == verdicts(plain["mnist-optimizers"]) == 3
