"""The report's words, on hand-made inputs: Korean particles and line breaks, settings as
the reader sees them, tables side by side, log digits and the discussion's sentences."""

from __future__ import annotations

import numpy as np
import pytest

from nnreport.experiments.spec import HOOK_DEFAULTS
from nnreport.experiments.tf_mlp import section as tf_section
from nnreport.messages import listed, load_messages
from nnreport.particles import particle
from nnreport.report.discussion import discussion
from nnreport.report.findings import Finding
from nnreport.report.layout import drop_ok_status, figure_groups, split_tables
from nnreport.report.sections import tidy_log_line
from nnreport.report.settings import HIDDEN, merged_table
from nnreport.report.summary import runtime_matrix
from nnreport.report.typography import keep_whole

EN = load_messages("en")
KO = load_messages("ko")


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("Adam", "이/가", "Adam이"),  # 아담: ㅁ
        ("Momentum", "이/가", "Momentum이"),
        ("SGD", "이/가", "SGD가"),  # 에스지디
        ("gd", "은/는", "gd는"),  # 지디
        ("AdaGrad", "을/를", "AdaGrad를"),  # 아다그라드
        ("RMSprop", "으로/로", "RMSprop으로"),  # 프롭: ㅂ
        ("0.16", "으로/로", "0.16으로"),  # 육: ㄱ
        ("0.0086", "이/가", "0.0086이"),
        ("1", "으로/로", "1로"),  # 일: ㄹ takes 로
        ("0.9", "이다/다", "0.9다"),  # 구
        ("학습률", "으로/로", "학습률로"),
        ("모멘텀", "과/와", "모멘텀과"),
        ("배치 정규화", "은/는", "배치 정규화는"),
        ("96.5%", "이/가", "96.5%가"),  # 퍼센트
        ("ε", "을/를", "ε을"),  # 엡실론
        ("β₁", "이/가", "β₁이"),  # 베타 일
        ("β₂", "은/는", "β₂는"),  # 베타 이
    ],
)
def test_korean_particle_follows_the_final_sound(word, pair, expected):
    assert particle(word, pair) == expected


def test_catalog_messages_choose_particles_through_the_format_spec():
    assert "정확도는 0.977이다(과제" in KO("finding_tf_gd_level", gd="0.977")
    assert KO("finding_tf_gd_level", gd="0.969").count("0.969다") == 1


def test_korean_words_are_kept_whole_outside_code():
    html = (
        '<p title="제목">옵티마이저를 비교한다</p><pre>코드 줄</pre><style>p{}</style>'
        "<h1>scikit-learn digits</h1>"
    )
    kept = keep_whole(html, korean=True)
    assert '<span class="kw">옵티마이저를</span> <span class="kw">비교한다</span>' in kept
    assert '<span class="kw">scikit-learn</span> digits' in kept  # no break at its hyphen
    assert "<pre>코드 줄</pre>" in kept and 'title="제목"' in kept


def test_numbers_and_intervals_are_kept_whole_in_both_languages():
    html = "<p>mean -0.147 (95\u00a0% interval [1.5e-05, 3.2e-05]), 60,000 images, 0.977이다</p>"
    kept = keep_whole(html + "<p>the homework&#39;s Adam &amp; 3&lt;4</p>")
    assert "homework&#39;s Adam &amp; " in kept  # character references stay whole
    for whole in ("-0.147", "95\u00a0%", "[1.5e-05, 3.2e-05]", "60,000"):
        assert f'<span class="kw">{whole}</span>' in kept
    korean = keep_whole(html, korean=True)
    assert '<span class="kw">0.977이다</span>' in korean  # the number with its particle


def unit(**hooks):
    """A stand-in experiment whose section has ``hooks`` (the others: their defaults)."""

    class Unit:
        @staticmethod
        def hook(role, name):
            return hooks.get(name, HOOK_DEFAULTS[role][name])

    return Unit


def test_settings_table_merges_equal_values_and_marks_the_textbooks():
    Unit = unit(
        REFERENCE_SETTINGS={"batch_size": 100, "epochs": 20, "repeats": 1},
        HIDDEN_SETTINGS=("log_every",),
    )

    same = {
        "batch_size": 100,
        "epochs": 20,
        "repeats": 5,
        "log_every": 10,
        "learning_rate": 0.0123456,
        "n_train": 60000,
    }
    table = merged_table(
        [
            ("A", {**same, "hidden_sizes": [100], "layer_sizes": [784, 100, 10]}),
            ("B", {**same, "hidden_sizes": [50], "layer_sizes": [64, 50, 10]}),
        ],
        Unit,
        EN,
    )
    rows = {row["label"]: row for row in table["rows"]}
    assert "log every" not in " ".join(rows) and "n_train" not in " ".join(rows)  # hidden
    assert rows["batch size"]["values"] == ["100"] and rows["batch size"]["reference"] == ""
    assert rows["seeds (repeated runs)"]["reference"] == "1"  # ours differs: marked
    assert rows["learning rate"]["values"] == ["0.01235"]  # significant digits
    assert rows["hidden layer widths"]["values"] == ["100", "50"]  # one value per dataset
    assert "layer widths, input to output" not in rows  # the dataset table has the rest
    assert table["columns"] == ["A", "B"] and table["reference"] == "Textbook"
    alike = merged_table([("A", same), ("B", same)], Unit, EN)
    assert alike["columns"] == ["Value"]  # one column where every row agrees


def test_every_default_setting_has_a_display_name_in_both_languages():
    from nnreport import experiments
    from nnreport.config import defaults

    keys = set()
    for name, settings in defaults()["experiments"].items():
        keys |= (
            set(settings) - HIDDEN - set(experiments.get(name).hook("section", "HIDDEN_SETTINGS"))
        )
        for arm in settings.get("arms", []):  # an arm's parameters, the TF arms' optimizer's
            keys |= set(arm) | set(arm.get("optimizer", {}))
    keys -= {"name", "optimizer", "label"}
    for t in (EN, KO):
        assert [key for key in keys if not t.has(f"setting_{key}")] == []


def test_tables_go_side_by_side_only_when_they_line_up():
    def tab(title, rows, header=("Arm", "Loss"), caption="Loss ({title})."):
        return {"caption": caption.format(title=title), "header": list(header), "rows": rows}

    merged, own = split_tables(
        [
            ("X", [tab("X", [["SGD", "1"], ["Adam", "2"]])]),
            ("Y", [tab("Y", [["SGD", "3"], ["Adam", "4"]])]),
        ]
    )
    assert merged[0]["rows"] == [["SGD", "1", "3"], ["Adam", "2", "4"]] and own == [[], []]
    assert merged[0]["groups"] == [("X", 1), ("Y", 1)] and merged[0]["caption"] == "Loss."
    rows_differ = [("X", [tab("X", [["SGD", "1"]])]), ("Y", [tab("Y", [["Adam", "1"]])])]
    (stacked,), own = split_tables(rows_differ)  # one table, each dataset's rows under its name
    assert stacked["stacked"] == [("X", None, [["SGD", "1"]]), ("Y", None, [["Adam", "1"]])]
    assert stacked["caption"] == "Loss." and own == [[], []]
    wide = ("Arm", *"abcde")
    too_wide = [(d, [tab(d, [["SGD", *"12345"]], wide)]) for d in "XY"]
    assert "stacked" in split_tables(too_wide)[0][0]
    other_caption = [
        (d, [tab(d, [["SGD", "1"]], caption=f"Loss on {n} images ({{title}}).")])
        for d, n in (("X", 5), ("Y", 6))
    ]
    assert split_tables(other_caption)[0] == []  # its caption would be wrong for one of them
    mixed, own = split_tables(
        [
            ("X", [tab("X", [["SGD", "1"]]), tab("X", [["a", "1"]], ("Arm", "Time"))]),
            ("Y", [tab("Y", [["SGD", "2"]])]),
        ]
    )
    assert len(mixed) == 1 and [len(tables) for tables in own] == [1, 0]  # X's alone stays
    noted = [(d, [{**tab(d, [["SGD", "1"]]), "note": f"level {d}"}]) for d in "XY"]
    assert split_tables(noted)[0][0]["caption"] == "Loss. X: level X; Y: level Y"


def test_figures_of_the_datasets_share_one_caption():
    def fig(title, seeds=5, wide=False):
        caption = f"Loss over {seeds} seeds ({title})."
        return {"name": "loss", "uri": title, "wide": wide, "caption": caption}

    groups = figure_groups([("X", {"figures": [fig("X")]}), ("Y", {"figures": [fig("Y")]})], EN)
    assert groups == [
        {
            "wide": False,
            "images": [fig("X"), fig("Y")],
            "caption": "Loss over 5 seeds. Left to right: X, Y.",
        }
    ]
    stacked = figure_groups([(d, {"figures": [fig(d, wide=True)]}) for d in "XY"], EN)
    assert stacked[0]["caption"].endswith("Top to bottom: X, Y.")
    apart = figure_groups(
        [("X", {"figures": [fig("X", 5)]}), ("Y", {"figures": [fig("Y", 3)]})], EN
    )
    assert [g["caption"] for g in apart] == ["Loss over 5 seeds (X).", "Loss over 3 seeds (Y)."]
    korean = [  # a Korean caption puts no space before the parenthesis
        (d, {"figures": [{**fig(d), "caption": f"5개 시드의 평균({d})."}]}) for d in "XY"
    ]
    assert len(figure_groups(korean, KO)) == 1


def test_a_status_column_that_only_says_ok_is_dropped():
    ok, diverged = EN("ok"), EN("diverged_at", step=5)
    table = {
        "caption": "Runs.",
        "header": ["Arm", "Loss", EN("status")],
        "rows": [["SGD", "1", ok], ["Adam", "2", ok]],
    }
    (kept,) = drop_ok_status([table], EN)
    assert kept["header"] == ["Arm", "Loss"] and kept["rows"] == [["SGD", "1"], ["Adam", "2"]]
    assert kept["caption"] == "Runs. No run diverged."
    table["rows"][1][2] = diverged
    assert drop_ok_status([table], EN) == [table]  # a diverged run keeps the column


def test_log_lines_keep_four_significant_digits():
    line = "epoch:5, train acc:0.11333333333333333, test acc:0.1251, w:1e-05"
    assert tidy_log_line(line) == "epoch:5, train acc:0.1133, test acc:0.1251, w:1e-05"


def finding(claim, verdict):
    return Finding(claim, verdict, "basis", "text")


def test_discussion_explains_only_what_held_and_leaves_verdicts_to_the_table():
    Unit = unit()
    parts = [
        {"title": d, "name": d.lower(), "record": {}, "arrays": {}, "findings": [f]}
        for d, f in (
            ("A", finding("overfit_gap", "supported")),
            ("B", finding("overfit_gap", "inconclusive")),
        )
    ]
    (why,) = discussion(Unit, parts, EN)
    assert why == EN("why_overfit_gap")  # the mechanism, once, with no verdict restated
    for part in parts:
        part["findings"] = [finding("overfit_gap", "not_supported")]
    assert discussion(Unit, parts, EN) == []  # no explanation of an effect that was not seen


def test_a_units_own_discussion_follows_the_mechanisms():
    Unit = unit(discuss=lambda parts, t: [f"{len(parts)} datasets."])
    parts = [
        {"title": "A", "name": "a", "record": {}, "arrays": {}, "findings": []},
    ]
    assert discussion(Unit, parts, EN) == ["1 datasets."]


def test_tf_plateau_table_says_when_runs_leave_the_plateau():
    plateau = np.log(10)
    cost = np.array(
        [
            [2.35, 2.32, 1.0, 0.5],  # leaves in epoch 3
            [2.35, 2.32, 2.31, 2.31],  # never leaves
            [1.0, 0.5, 0.4, 0.3],
        ]
    )  # below the plateau from epoch 1
    assert tf_section.plateau_exits(cost, 10) == [3, None, 1]
    record = {
        "runs": [{"arm": "adam_seed"}] * 3,
        "sizes": [784, 10],
        "epochs": 4,
        "stats": {"adam_seed": {"diverged": 0}},
    }
    table = tf_section.plateau_table(record, {"cost": cost}, EN)
    assert table["rows"] == [["dropout + DL-HW#05's Adam", "2 of 3", "3", "1 of 3"]]
    assert table["note"] == f"plateau ln 10 ≈ {plateau:.3g}, 4 epochs"
    part = {"title": "X", "record": record, "arrays": {"cost": cost}, "findings": []}
    (why,) = tf_section.discuss([part], EN)
    assert why.startswith("None of these runs diverged")
    record["stats"]["adam_seed"]["diverged"] = 1  # a diverged run: no "did not diverge"
    assert tf_section.discuss([part], EN) == []


def test_dataset_names_are_listed_as_in_a_sentence():
    assert listed(["MNIST", "Fashion-MNIST", "digits"], EN) == "MNIST, Fashion-MNIST and digits"
    assert listed(["MNIST", "digits"], KO) == "MNIST, digits" and listed(["MNIST"], EN) == "MNIST"


def test_job_runtimes_are_one_row_per_experiment_and_a_column_per_dataset():
    rows = [
        ["mnist/optimizers", "10.0", "100"],
        ["digits/optimizers", "2.5", "50"],
        ["mnist/tf_mlp/stage0-shard0", "30", "600"],
        ["mnist/tf_mlp/stage0-shard1", "31", "650"],
        ["general/activations", "1.2", "40"],
        ["prepare/mnist", "4", "300"],
        ["report", "20", "1"],
    ]
    scopes = [("mnist", "MNIST"), ("digits", "digits"), ("general", "Dataset-free")]
    table = runtime_matrix(rows, scopes)
    assert table["columns"] == ["MNIST", "digits", "Dataset-free"]
    found = {row[0]: row[1:] for row in table["rows"]}
    assert found["optimizers"] == ["10 (1)", "2 (1)", "—", "100"]  # seconds (jobs), max RSS
    assert found["tf_mlp"] == ["61 (2)", "—", "—", "650"]  # shards summed, largest memory
    assert found["prepare"][0] == "4 (1)" and "report" not in found


def test_the_reference_column_only_when_a_value_differs():
    Unit = unit(REFERENCE_SETTINGS={"batch_size": 100})

    same = merged_table([("A", {"batch_size": 100})], Unit, EN)
    assert not same["has_reference"]  # an empty "Textbook" column says nothing
    differs = merged_table([("A", {"batch_size": 128})], Unit, EN)
    assert differs["has_reference"] and differs["rows"][0]["reference"] == "100"
