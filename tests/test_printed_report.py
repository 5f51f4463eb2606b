"""The printed report, rendered from the smoke build in both languages: what a grader holds.

Each language is rendered once (module fixture); the tests read the PDF (pages, metadata,
attachments, fonts) and WeasyPrint's laid-out pages (where figures and numbers fall)."""

from __future__ import annotations

import json
import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from test_report_safety import render_in, smoke_config

from nnreport.messages import glossary_breaches
from nnreport.report.render import split_figures

MAX_PAGES = 25
VERDICTS = {"supported", "not_supported", "inconclusive", "not_applicable"}


@pytest.fixture(scope="module", params=["en", "ko"])
def printed(request, built, tmp_path_factory):
    """(language, project, html text, PdfReader, laid-out document) of one rendering."""
    lang = request.param
    project = tmp_path_factory.mktemp(f"printed-{lang}")
    for name in ("results", "resources", "templates"):
        shutil.copytree(built / name, project / name)
    config = smoke_config(project, lang=lang, author="홍길동" if lang == "ko" else "Ada Lovelace")
    html, pdf, document = render_in(project, config)
    return lang, project, html.read_text(encoding="utf-8"), PdfReader(pdf), document


def test_the_report_fits_a_graders_reading(printed):
    lang, _, html, reader, _ = printed
    assert len(reader.pages) <= MAX_PAGES
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "HW5" in text and "DL-HW#05" in text  # each write-up by its name
    collapsed = re.findall(r"\[([-\d.e]+), \1\]", text)
    assert collapsed == []  # no interval written as [2.3, 2.3]
    prose = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.S)
    assert re.findall(r"\{[a-z_]+(?::[^} ]*)?\}", prose) == []  # every placeholder filled


def test_every_figure_stays_on_one_page_with_its_caption(printed):
    document = printed[4]
    assert split_figures(document) == []


def test_no_number_breaks_across_a_line(printed):
    document = printed[4]
    assert broken_numbers(document) == []


def test_pdf_metadata_and_attachments_say_how_it_was_made(printed):
    lang, project, _, reader, _ = printed
    meta = reader.metadata
    assert meta.title == smoke_config(project)["report"]["title"]
    assert meta.author == ("홍길동" if lang == "ko" else "Ada Lovelace")
    assert meta.subject and "MNIST" in meta.subject and "MNIST" in reader.metadata["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged: a screen reader's tree
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp.replace(" ", "") or 'pdfaid:part="3"' in xmp
    attached = {name: b"".join(data) for name, data in reader.attachments.items()}
    assert set(attached) == {"config.yaml", "verdicts.json", "requirements.lock"}
    config = yaml.safe_load(attached["config.yaml"])
    assert config["report"]["lang"] == lang
    assert config["datasets"] == ["mnist", "fashion_mnist", "digits"]
    verdicts = json.loads(attached["verdicts.json"])
    assert {v["verdict"] for v in verdicts} <= VERDICTS
    assert {v["dataset"] for v in verdicts} >= {"mnist", "fashion_mnist", "digits"}


def test_korean_pdf_has_hangul_and_embeds_a_korean_font(printed):
    lang, project, html, reader, _ = printed
    if lang != "ko":
        pytest.skip("the Korean rendering's checks")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "목차" in text and "홍길동" in text and "결과 한눈에 보기" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NanumGothic" in name for name in fonts), fonts
    assert "@font-face" in html
    title = set(smoke_config(project)["report"]["title"].split())  # the user's own words
    assert english_words(html, project) - title == set()
    assert glossary_breaches(html, "ko") == []


# A line that ends inside a number: a digit, point, exponent or sign, or an interval's "[",
# followed on the next line by the number's rest, with no space where the line broke.
NUMBER_END = re.compile(r"(\d|\d[.,]|\de[-−+]?|[\[−-])$")
NUMBER_START = re.compile(r"^[\d.,%]")


def broken_numbers(document) -> list[str]:
    """Line breaks that split a number, outside code (which keeps its own line breaks)."""
    from weasyprint.formatting_structure import boxes

    found = []
    for page in document.pages:
        for block in page._page_box.descendants():
            lines = [c for c in getattr(block, "children", ()) if isinstance(c, boxes.LineBox)]
            if len(lines) < 2 or block.element_tag in ("pre", "code"):
                continue
            texts = [line_text(line, boxes) for line in lines]
            whole = " ".join("".join(block.element.itertext()).split())
            for first, second in pairwise(texts):
                end, start = first.rstrip()[-12:], second.lstrip()[:12]
                if (
                    NUMBER_END.search(end)
                    and NUMBER_START.search(start)
                    and end + start in whole
                    and end + " " + start not in whole
                ):
                    found.append(f"{end} / {start}")
    return found


def line_text(line, boxes) -> str:
    return "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox))


# Names and notations a Korean report keeps in Latin letters (besides the datasets' own
# titles and class names): optimizers, initialisations, libraries, the write-ups' names (HW5,
# DL-HW#05), "std=" labels, math (ln, tanh, sigmoid in code, float), and the appendix's
# Git/CPU/SHA/RSS/MB/HTML.
ALLOWED_LATIN = {
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "Xavier",
    "He",
    "ReLU",
    "MNIST",
    "TensorFlow",
    "Keras",
    "NumPy",
    "Snakemake",
    "MLP",
    "TF",
    "GradientTape",
    "tf",
    "function",
    "HW",
    "DL",
    "HTML",
    "std",
    "epoch",  # the code output's own word, quoted ("epoch:0")
    "ln",
    "tanh",
    "nnreport",
    "Git",
    "dirty",
    "CPU",
    "SHA",
    "RSS",
    "MB",
    "float",
}


def english_words(html: str, project: Path) -> set[str]:
    """Latin words in the report's text outside code, figures and numbers that are neither
    allowed names nor a dataset's title or class names."""
    import html as entities
    import re

    for tag in ("style", "pre", "code", "title", "script"):
        html = re.sub(rf"<{tag}\b.*?</{tag}>", " ", html, flags=re.S)
    text = entities.unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(r"\b(?=[0-9a-f]*\d)[0-9a-f]{7,64}\b", " ", text)  # a commit or digest
    allowed = set(ALLOWED_LATIN)
    for meta in (project / "resources" / "datasets").glob("*.json"):
        info = json.loads(meta.read_text())
        for name in [info["title"], *info["class_names"]]:
            allowed.update(re.findall(r"[A-Za-z]+", name))
    return {w for w in re.findall(r"[A-Za-z]+", text) if w not in allowed and len(w) > 1}
