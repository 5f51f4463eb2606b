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


def render_in(project: Path, config: dict) -> tuple:
    """(HTML file, PDF file, laid-out document) of one rendering in ``project``."""
    html, pdf = project / "reports" / "r.html", project / "reports" / "r.pdf"
    document = render(
        config, html, pdf, Paths(project / "results", project / "resources"), project / "templates"
    )
    return html, pdf, document


def test_autoescape_is_on_for_j2_templates(tmp_path):
    env = make_environment(tmp_path)
    assert env.autoescape("report.html.j2") is True


def test_config_strings_appear_as_text(project):
    """Both payloads in one render: one as the title, one as the author."""
    config = smoke_config(project, title=INJECTIONS[0], author=INJECTIONS[1])
    html, pdf, _ = render_in(project, config)
    text = html.read_text(encoding="utf-8")
    reader = PdfReader(pdf)
    first_page = reader.pages[0].extract_text()
    assert reader.metadata.title == INJECTIONS[0] and reader.metadata.author == INJECTIONS[1]
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
