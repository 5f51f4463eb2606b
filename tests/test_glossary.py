"""The Korean glossary: one term per concept, in every Korean catalog message."""

import pytest

from nnreport.messages import catalog_files, glossary_breaches, read_catalog

KOREAN_CATALOGS = catalog_files("ko")


@pytest.mark.parametrize("path", KOREAN_CATALOGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_korean_messages_use_the_glossarys_terms(path):
    breaches = {
        key: glossary_breaches(text, "ko")
        for part in read_catalog(path).values()
        for key, text in part.items()
        if glossary_breaches(text, "ko")
    }
    assert breaches == {}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("가중치의 퍼짐이 커진다", "퍼짐"),
        ("책의 그림 6-9", "책"),
        ("95 % 신뢰구간", "5 %"),
        ("행 27–70", "행 2"),
        ("검정 결과 기각", "기각"),
    ],
)
def test_the_glossary_catches_each_avoided_form(text, found):
    assert [form for form, _ in glossary_breaches(text, "ko")] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "책임 있는 결과",
        "<code>sigmoid</code> 활성화",
        "{count}행",
        "지지됨",
        "지지되지 않음",
        "95%",
    ],
)
def test_code_placeholders_and_the_chosen_terms_pass(text):
    assert glossary_breaches(text, "ko") == []


def test_languages_without_a_glossary_have_no_breaches():
    assert glossary_breaches("the book's figure", "en") == []
