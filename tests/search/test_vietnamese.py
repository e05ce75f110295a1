"""Vietnamese normalisation and folding, done in Python (no PostgreSQL extension)."""

from __future__ import annotations

import unicodedata

import pytest

from portal_platform.search.vietnamese import (
    canonical_syllable,
    fold,
    parse_query,
    tsvector,
    word_forms,
    words,
)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("hòa", "hoà"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("ủy", "uỷ"),
        ("Hòa", "hoà"),
        ("THỦY", "thuỷ"),
        ("lòe", "loè"),
        ("quý", "quý"),
    ],
)
def test_both_tone_mark_styles_are_one_word(old_style: str, new_style: str) -> None:
    assert word_forms(old_style.lower()).exact == new_style
    assert word_forms(new_style).exact == new_style


@pytest.mark.parametrize(
    "word",
    [
        "của",
        "mùa",
        "người",
        "giường",
        "ngoài",
        "khuỷu",
        "hoạch",
        "hoàn",
        "quả",
        "giá",
        "gì",
        "gìn",
        "giữ",
        "thuở",
        "quyền",
        "tuổi",
        "yếu",
        "nghệ",
        "chìa",
        "xoáy",
        "uống",
        "ở",
    ],
)
def test_words_already_in_the_chosen_style_are_kept(word: str) -> None:
    assert canonical_syllable(word) == word


def test_what_is_not_a_vietnamese_syllable_is_kept() -> None:
    for word in ("café", "naïve", "ubnd", "2026"):
        assert canonical_syllable(word) == word


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nghệ An", "Nghe An"),
        ("NGHỆ AN", "NGHE AN"),
        ("đường Đinh Tiên Hoàng", "duong Dinh Tien Hoang"),
        ("Đắk Lắk", "Dak Lak"),
        ("ưu tiên ươm", "uu tien uom"),
        ("Quỳnh Lưu, Diễn Châu", "Quynh Luu, Dien Chau"),
    ],
)
def test_folding_drops_every_diacritic_and_d_bar(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_decomposed_input_is_composed_first() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghệ An hoà")
    assert decomposed != "Nghệ An hoà"
    assert [w.exact for w in words(decomposed)] == ["nghệ", "an", "hoà"]
    assert [w.folded for w in words(decomposed)] == ["nghe", "an", "hoa"]


def test_queries_with_or_without_diacritics_have_the_same_folded_words() -> None:
    forms = {q: tuple(w.folded for w in parse_query(q).ordered) for q in ("nghe an", "Nghệ An", "NGHỆ AN", "nghệ an")}
    assert set(forms.values()) == {("nghe", "an")}
    assert not parse_query("nghe an").has_diacritics
    assert parse_query("Nghệ An").has_diacritics


def test_tsquery_syntax_is_only_punctuation() -> None:
    parsed = parse_query("a & b | !c : d* (e) 'f' <-> g\\")
    assert [w.folded for w in parsed.ordered] == ["a", "b", "c", "d", "e", "f", "g"]
    assert parsed.match() == "'a' & 'b' & 'c' & 'd' & 'e' & 'f' & 'g'"
    assert parse_query("&|!:*()'").is_empty
    assert parse_query("   ").is_empty


def test_quoted_phrases() -> None:
    parsed = parse_query('"hành chính công" Nghệ An “cải cách”')
    assert parsed.match() == "'nghe' & 'an' & ('hanh' <-> 'chinh' <-> 'cong') & ('cai' <-> 'cach')"
    assert parsed.exact_phrase() == "('hành' <-> 'chính' <-> 'công' <-> 'nghệ' <-> 'an' <-> 'cải' <-> 'cách')"
    # Words typed without diacritics are looked up folded in the exact checks too.
    assert parse_query("Nghệ an UBND").exact_all() == "'nghệ' & 'an' & 'ubnd'"
    # A quote left open is just a character.
    assert parse_query('"hành chính').match() == "'hanh' & 'chinh'"


def test_the_vector_carries_weights_positions_and_both_forms() -> None:
    vector = tsvector([("A", "Hòa giải"), ("C", "hoà giải ở cơ sở, UBND")])
    lexemes = dict(part.split(":", 1) for part in vector.split(" "))
    # Folded forms for matching; exact forms (one tone-mark style) at the same positions.
    assert lexemes == {
        "'hoa'": "1A,4C",
        "'hoà'": "1A,4C",
        "'giai'": "2A,5C",
        "'giải'": "2A,5C",
        "'o'": "6C",
        "'ở'": "6C",
        "'co'": "7C",
        "'cơ'": "7C",
        "'so'": "8C",
        "'sở'": "8C",
        "'ubnd'": "9C",
    }


def test_quotes_in_text_cannot_break_a_literal() -> None:
    assert tsvector([("A", "it's a \\ 'test'")]) == "'it':1A 's':2A 'a':3A 'test':4A"


def test_long_texts_stay_within_postgres_limits() -> None:
    vector = tsvector([("A", "đầu"), ("C", " ".join(["từ"] * 20000)), ("D", "cuối")])
    lexemes = dict(part.split(":", 1) for part in vector.split(" "))
    assert set(lexemes) == {"'dau'", "'đầu'", "'tu'", "'từ'"}  # past position 16383 nothing is kept
    assert lexemes["'tu'"].count(",") == 255 and lexemes["'tu'"].startswith("3C,4C")  # 256 positions at most
    assert words("a" * 100)[0].folded == "a" * 60
