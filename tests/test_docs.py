"""The README serves a newcomer first, and every link in it and in docs/ resolves."""

from __future__ import annotations

import re

from conftest import REPO

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"`[^`]*`")  # a link inside a code span is no link


def anchors(path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_the_first_screen_has_the_commands_a_newcomer_needs():
    lines = README.read_text(encoding="utf-8").splitlines()
    first = "\n".join(lines[:60])
    assert "pip install -r requirements.lock" in first  # the locked install
    assert "--no-deps -e ." in first
    assert "snakemake --cores 4" in first and "--configfile config/smoke.yaml" in first
    assert 'pytest -m "not pipeline"' in first and "\npytest " in first
    assert "docs/report-page.png" in first  # a picture of what it makes
    assert len(lines) <= 300


def test_every_link_resolves():
    broken = []
    for page in PAGES:
        for target in LINK.findall(CODE.sub("", page.read_text(encoding="utf-8"))):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, anchor = target.partition("#")
            resolved = (page.parent / file).resolve() if file else page
            if not resolved.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_reference_is_in_docs_and_linked_from_the_readme():
    readme = README.read_text(encoding="utf-8")
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, page.name
