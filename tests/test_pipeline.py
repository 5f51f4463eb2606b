"""The real Snakemake pipeline on the smoke config, in a scratch copy of the project."""

from __future__ import annotations

import os
import re
import time

import pytest
from conftest import REPO
from pipeline import dry_run, planned_jobs, snakemake
from pypdf import PdfReader

from nnreport import experiments
from nnreport.config import experiment_settings, load_config
from nnreport.plots import figure_names
from nnreport.results import load_record

DATASETS = ("mnist", "fashion_mnist", "digits")
SMOKE = load_config([REPO / "config" / "config.yaml", REPO / "config" / "smoke.yaml"])
DATASET_SECTIONS = ("dataset", *experiments.names(needs_dataset=True))


def expected_figures(scope: str, key: str) -> int:
    """Figures a section shows, from the registry: the dataset section draws two."""
    if key == "dataset":
        return 2
    settings = experiment_settings(SMOKE, None if scope == "general" else scope, key)
    return len(figure_names(experiments.get(key), settings))


def sections(html: str) -> dict[str, str]:
    parts = re.split(r'<section class="[a-z-]+" id="([a-z0-9_-]+)">', html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def experiment_body(html: str, key: str) -> str:
    """An experiment's whole section: its code and settings, every dataset's part."""
    body = html.split(f'<section class="experiment" id="{key}">')[1]
    return re.split(r'class="experiment"|<section class="part"', body)[0]


def test_report_has_every_section_with_its_figures(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    found = sections(html)
    assert found["datasets"].split("</section>")[0].count("<img ") == 2 * len(DATASETS)
    for dataset in DATASETS:
        for key in DATASET_SECTIONS[1:]:
            assert f'id="{dataset}-{key}"' in html, (dataset, key)  # its verdict sentences
    for key in DATASET_SECTIONS[1:]:
        expected = sum(expected_figures(dataset, key) for dataset in DATASETS)
        assert experiment_body(html, key).count("<img ") == expected, key
    for key in experiments.names(needs_dataset=False):
        body = found[f"general-{key}"].split("</section>")[0]
        assert body.count("<img ") == expected_figures("general", key), key
    assert "keras.optimizers.Adam" in found["general-tf_crosscheck"]
    pdf = PdfReader(built / "reports" / "report.pdf")
    assert 10 <= len(pdf.pages) <= 25
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Fashion-MNIST" in text and "T-shirt/top" in text and "Results at a glance" in text


def test_no_absolute_path_in_the_report(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    text = re.sub(r'"data:[^"]+"', '""', html)  # base64 may spell anything
    text = re.sub(r"url\(data:[^)]+\)", "", text)
    assert str(built) not in text and str(REPO) not in text and "PosixPath" not in text
    assert not re.search(r"(?<![\w.])/(home|usr|tmp|root|work|Users|opt|var|mnt)/", text)


def test_html_is_self_contained(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("data:", "#")) for s in sources)
    assert "@import" not in html and "url(http" not in html
    assert html.count("@font-face") == 2 and "url(data:font/ttf;base64," in html


def test_report_numbers_are_the_result_numbers(built):
    record, arrays = load_record(built / "results" / "digits" / "optimizers.json")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    body = experiment_body(html, "optimizers")  # one table, the datasets side by side
    seeds = record["settings_used"]["repeats"]
    for index, label in enumerate(record["labels"]):
        acc = sum(row[index] for row in record["test_acc"]) / seeds  # the mean over seeds
        row = re.search(rf"<tr><td>{label}</td>(.*?)</tr>", body).group(1)
        cells = re.findall(r"<td>([^<]*)</td>", row)
        group = len(cells) // 3  # digits is the third group of (loss, accuracy[, status])
        assert cells[2 * group + 1] == f"{acc:.4f}"
    shape = (seeds, record["settings_used"]["iterations"], len(record["arms"]))
    assert arrays["loss"].shape == shape and seeds == 5
    search, _ = load_record(built / "results" / "digits" / "hparam_search.json")
    low, high = search["recommendation"]["lr"]
    matrix = html.split('class="matrix"')[1].split("</table>")[0]
    assert f"{low:.3g}\u00a0…\u00a0{high:.3g}" in matrix or "≥" in matrix  # the range, or open


def test_tf_mlp_tables_show_every_run(built):
    record, _ = load_record(built / "results" / "mnist" / "tf_mlp.json")
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    section = sections(html)["mnist-tf_mlp"]  # MNIST's own tables and verdicts
    first = {r["arm"]: r for r in record["runs"] if r["run"] == 1}
    cells = "".join(f"<td>{first[a]['test_acc']:.4f}</td>" for a in ("gd", "adam_seed"))
    body = experiment_body(html, "tf_mlp")
    assert f"<td>(1)</td>{cells}" in body  # DL-HW#05's two arms, the datasets side by side
    arms = {a["name"] for a in SMOKE["experiments"]["tf_mlp"]["arms"] if not a.get("datasets")}
    assert {r["arm"] for r in record["runs"]} >= arms | {"sweep"}
    assert len({r["seed"] for r in record["runs"]}) == len(record["runs"])
    assert "which uses rate 0.5 on every dataset" in body
    assert "<th>dropout + DL-HW#05&#39;s Adam</th>" in body
    assert "<td>dropout + DL-HW#05&#39;s Adam</td>" in body  # display names, not ids
    assert "adam_seed" not in section  # nor in the verdict sentences
    assert "[dropout + DL-HW#05&#39;s Adam (1) seed" in body  # the log quotes display names
    assert (built / "results" / "mnist" / "tf_mlp" / "stage0-shard0.json").is_file()


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


def edit_message(workdir, catalog: str, key: str) -> None:
    """A one-line edit of message ``key`` in ``catalog`` (relative to the package): a word
    added at the start of its text, quoted or not."""
    path = workdir / "src" / "nnreport" / catalog
    text, line = path.read_text(encoding="utf-8"), f"\n  {key}: "
    assert line in text, (catalog, key)
    quote = '"' if text.split(line, 1)[1].startswith('"') else ""
    path.write_text(text.replace(line + quote, f"{line}{quote}edited ", 1), encoding="utf-8")


def test_a_report_sentence_edit_reruns_only_the_render(built_clone):
    workdir = built_clone
    edit_message(workdir, "i18n/en.yaml", "contents")
    edit_message(workdir, "experiments/tf_mlp/messages.en.yaml", "tf_run_table")
    assert planned_jobs(workdir) == {"render_report": 1, "all": 1}


def test_a_figure_label_edit_redraws_only_its_units_figures(built_clone):
    workdir = built_clone
    edit_message(workdir, "experiments/tf_mlp/messages.en.yaml", "plot_cost")
    outputs = [line for line in dry_run(workdir).splitlines() if "output:" in line]
    redrawn = set(re.findall(r"results/\w+/figures/([\w-]+)\.svg", "\n".join(outputs)))
    assert redrawn == {"tf_mlp-accuracy", "tf_mlp-cost"}
    jobs = planned_jobs(workdir)
    assert jobs == {"experiment_figure": 2 * len(DATASETS), "render_report": 1, "all": 1}


def test_one_dataset_setting_reruns_only_that_experiment(built):
    extra = built / "config" / "digits-change.yaml"
    extra.write_text("per_dataset: {digits: {optimizers: {iterations: 40}}}\n")
    jobs = planned_jobs(built, "--configfile", "config/smoke.yaml", str(extra))
    assert jobs == {"run_experiment": 1, "experiment_figure": 1, "render_report": 1, "all": 1}


def test_source_module_edit_reruns_the_experiments_that_import_it(built_clone):
    workdir = built_clone
    # A copy of a built project is up to date (but for the render, if a test edited a template).
    assert set(planned_jobs(workdir)) <= {"render_report", "all"}
    module = workdir / "src" / "nnreport" / "experiments" / "weight_init" / "train.py"
    module.write_text(module.read_text() + "\n# edited\n")
    jobs = planned_jobs(workdir)
    assert jobs == {"run_experiment": 3, "experiment_figure": 3, "render_report": 1, "all": 1}


def test_figure_code_edit_redraws_only_its_figures(built_clone):
    workdir = built_clone
    module = workdir / "src" / "nnreport" / "experiments" / "batch_norm" / "figures.py"
    module.write_text(module.read_text() + "\n# edited\n")
    jobs = planned_jobs(workdir)
    assert jobs == {"experiment_figure": len(DATASETS), "render_report": 1, "all": 1}


def test_changed_dataset_file_reruns_everything_for_that_dataset(built_clone):
    import gzip

    workdir = built_clone
    labels = workdir / "data" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    payload = gzip.decompress(labels.read_bytes())
    labels.unlink()
    labels.write_bytes(gzip.compress(payload, compresslevel=1))  # same labels, a new file
    output = dry_run(workdir)
    scopes = set(re.findall(r"wildcards: (?:dataset|scope)=(\w+)", output))
    assert scopes == {"fashion_mnist"}
    jobs = planned_jobs(workdir)
    for rule in (
        "prepare_dataset",
        "run_experiment",
        "run_shard",
        "merge_result",
        "dataset_figures",
        "experiment_figure",
        "render_report",
    ):
        assert jobs.get(rule), rule
    single_job = experiments.names(needs_dataset=True, sharded=False)
    assert jobs["run_experiment"] == len(single_job)
    assert jobs["merge_result"] == len(experiments.names(needs_dataset=True, sharded=True))


def test_search_shards_are_separate_jobs(built):
    """Every stage (the longest search, then the repeats of its last stage) is sharded; a
    stage merges its shards before the next starts, the last into the result itself."""
    settings = experiment_settings(SMOKE, "mnist", "hparam_search")
    stages = settings["max_stages"] + settings["final_repeats"]
    found = sorted(p.name for p in (built / "results" / "mnist" / "hparam_search").glob("*.json"))
    assert found == sorted(
        [f"stage{k}-shard{j}.json" for k in range(stages) for j in range(settings["shards"])]
        + [f"stage{k}.json" for k in range(stages - 1)]
    )
    assert (built / "results" / "mnist" / "hparam_search.json").is_file()


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("experiments: {optimizers: {arms: [{name: sgd, learning_rate: -0.1}]}}", "learning_rate"),
        ("experiments: {optimizers: {arms: [{name: lbfgs}]}}", "name"),
        ("datasets: [mnist, cifar10]", "datasets"),
        ("experiments: {optimizers: {iterations: many}}", "iterations"),
        ("experiments: {optimizers: {repeats: 0}}", "repeats"),
        ("experiments: {hparam_search: {lr_range: [0.01, 0.0001]}}", "lr_range"),
        ("experiments: {hparam_search: {trials: 3, shards: 4}}", "shards"),
    ],
)
def test_bad_config_is_refused_before_any_job(override, key, workflow):
    workdir = workflow
    (workdir / "config" / "bad.yaml").write_text(override + "\n")
    result = snakemake(workdir, "--configfile", "config/smoke.yaml", "config/bad.yaml", check=False)
    assert result.returncode != 0
    assert key in result.stderr
    assert not (workdir / "results").exists() and not (workdir / "resources").exists()


def test_matrix_conclusion_and_provenance(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    matrix = html.split('class="matrix"')[1].split("</table>")[0]
    titles = ("MNIST", "Fashion-MNIST", "scikit-learn digits")
    assert all(f"<th>{title}</th>" in matrix for title in titles)  # titles, not config keys
    assert "Optimizers by final training loss" in matrix  # what the cross-dataset table held
    conclusion = html.split('id="conclusion"')[1].split("</section>")[0]
    assert "Of the textbook&#39;s" in conclusion and "Of DL-HW#05&#39;s" in conclusion
    assert conclusion.count("train on small subsets") == 1  # said once for all of them
    appendix = html.split('id="provenance"')[1].split("</section>")[0]
    assert "snakemake --cores 4 --configfile config/smoke.yaml" in appendix
    assert re.search(
        r"Exact versions</b> \(<code>requirements.lock</code>\): (every package "
        r"pinned in the lock file ran|\d+ packages differ)",
        appendix,
    )
    jobs = appendix.split('class="jobs"')[1].split("</table>")[0]  # experiments x datasets
    assert all(f"<th>{title}</th>" in jobs for title in titles)
    assert "<td>optimizers</td>" in jobs and "<td>data preparation</td>" in jobs
    assert "scale: smoke" in appendix and "lr_range" not in appendix  # only what differs
    body = html.split('id="provenance"')[0]
    for word in ("NNREPORT_DATA_DIR", "Snakemake", "shard", "top-k"):  # tool words: appendix
        assert word not in re.sub(r"<(pre|code)\b.*?</\1>", "", body, flags=re.S), word


def test_results_come_first_and_code_is_listed_once(built):
    html = (built / "reports" / "report.html").read_text(encoding="utf-8")
    assert html.index('class="toc"') < html.index('id="results"') < html.index('id="datasets"')
    second_page = PdfReader(built / "reports" / "report.pdf").pages[1].extract_text()
    assert "Results at a glance" in second_page  # the matrix on the page after the title
    results = html.split('id="results"')[1].split("</section>")[0]
    matrix = results.split('class="matrix"')[1].split("</table>")[0]
    links = re.findall(r'href="#([a-z0-9_-]+)"', matrix)
    assert links and all(f'id="{link}"' in html for link in links)  # each cell's section
    assert "Momentum, AdaGrad and Adam reach a lower loss than SGD" in matrix
    assert "DL-HW#05&#39;s claims" in matrix and "not applicable" in matrix
    assert "<th>HW5</th>" in results and "<th>DL-HW#05</th>" in results  # a column each
    for key in DATASET_SECTIONS[1:]:  # the code once per experiment, not per dataset
        listed = experiment_body(html, key).count('class="code-head"')
        assert listed == len(experiments.get(key).reviewed), key


def test_snakemake_report_zip_works(built):
    import zipfile

    snakemake(built, "--report", "snakemake-report.zip")
    with zipfile.ZipFile(built / "snakemake-report.zip") as archive:
        names = archive.namelist()
    assert any(n.endswith("report.pdf") for n in names)
    assert any(n.endswith("optimizers.svg") for n in names)
