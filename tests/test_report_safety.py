"""Report rendering: autoescaping, the restricted URL fetcher, missing inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from nnreport import UserError
from nnreport.report.assets import Paths
from nnreport.report.render import make_environment, render, restricted_fetcher

INJECTIONS = ["<script>alert(1)</script>", '<img src="file:///etc/passwd">']


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the smoke build's results, resources and templates to render from."""
    for name in ("results", "resources", "templates"):
        shutil.copytree(built / name, tmp_path / name)
    return tmp_path


def smoke_config(project: Path, **report) -> dict:
    from nnreport.config import validate_config

    repo = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((repo / "config" / "smoke.yaml").read_text())
    config["report"].update(report)
    validate_config(config)
    return json.loads(json.dumps(config))


def render_in(project: Path, config: dict) -> tuple[Path, Path]:
    html, pdf = project / "reports" / "r.html", project / "reports" / "r.pdf"
    render(
        config, html, pdf, Paths(project / "results", project / "resources"), project / "templates"
    )
    return html, pdf


def test_autoescape_is_on_for_j2_templates(tmp_path):
    env = make_environment(tmp_path)
    assert env.autoescape("report.html.j2") is True


def test_config_strings_appear_as_text(project):
    """Both payloads in one render: one as the title, one as the author."""
    config = smoke_config(project, title=INJECTIONS[0], author=INJECTIONS[1])
    html, pdf = render_in(project, config)
    text = html.read_text(encoding="utf-8")
    first_page = PdfReader(pdf).pages[0].extract_text()
    for payload in INJECTIONS:
        assert payload not in text
        assert payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in text
        assert payload in first_page


def test_fetch_outside_allowed_folders_is_refused(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    fetcher = restricted_fetcher([tmp_path])
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("https://example.com/x.png")
    (tmp_path / "ok.txt").write_text("fine")
    assert fetcher.fetch((tmp_path / "ok.txt").as_uri()) is not None


def test_template_pulling_an_outside_file_fails_the_render(project):
    template = project / "templates" / "report.html.j2"
    template.write_text(
        template.read_text().replace("</body>", '<img src="file:///etc/hostname"></body>')
    )
    with pytest.raises(UserError, match="outside the allowed folders"):
        render_in(project, smoke_config(project))
    assert not (project / "reports" / "r.pdf").exists()


def test_missing_figure_fails_with_a_clear_error_and_no_pdf(project):
    (project / "results" / "digits" / "figures" / "optimizers.svg").unlink()
    with pytest.raises(UserError, match="optimizers.svg is missing"):
        render_in(project, smoke_config(project))
    assert not (project / "reports").exists() or not list((project / "reports").iterdir())


def test_korean_pdf_has_hangul_and_embeds_a_korean_font(project):
    html, pdf = render_in(project, smoke_config(project, lang="ko", author="홍길동"))
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "목차" in text and "홍길동" in text and "검토할 코드" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NanumGothic" in name for name in fonts), fonts
    assert "@font-face" in html.read_text(encoding="utf-8")
    title = set(smoke_config(project)["report"]["title"].split())  # the user's own words
    assert english_words(html.read_text(encoding="utf-8"), project) - title == set()


# Names and notations a Korean report keeps in Latin letters (besides the datasets' own
# titles and class names): optimizers, initialisations, libraries, the textbook's "Best-k"
# ranks and "std=" labels, math (ln, tanh, sigmoid, float),
# and the appendix's Git/CPU/SHA/RSS/MB.
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
    "Best",
    "std",
    "ln",
    "tanh",
    "sigmoid",
    "epoch",
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
    allowed = set(ALLOWED_LATIN)
    for meta in (project / "resources" / "datasets").glob("*.json"):
        info = json.loads(meta.read_text())
        for name in [info["title"], *info["class_names"]]:
            allowed.update(re.findall(r"[A-Za-z]+", name))
    return {w for w in re.findall(r"[A-Za-z]+", text) if w not in allowed and len(w) > 1}


def test_report_size_and_pages_are_sane(built):
    pdf = built / "reports" / "report.pdf"
    assert pdf.stat().st_size < 8 * 1024 * 1024
    pages = len(PdfReader(pdf).pages)
    assert 30 <= pages <= 200
