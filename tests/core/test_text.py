"""Cleaning typed and pasted text: what Word cannot hold is removed, and every removal is reported."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.core.text import MAX_TEXT_LENGTH, Removal, clean_text, is_clean

# What XML 1.0 allows (the Char production); anything else would make a file Word refuses to open.
_XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


@pytest.mark.parametrize(
    ("value", "cleaned", "reported"),
    [
        ("a\x07b", "ab", ["text: removed bell character (\\a) (once)"]),
        ("a\x0cb", "ab", ["text: removed page-break character (\\f) (once)"]),
        ("a\x0bb", "ab", ["text: removed vertical tab (once)"]),
        ("a\x00b", "ab", ["text: removed NUL character (once)"]),
        ("a\x01b", "ab", ["text: removed control character U+0001 (once)"]),
        ("a\x08b", "ab", ["text: removed control character U+0008 (once)"]),
        ("a\x0eb", "ab", ["text: removed control character U+000E (once)"]),
        ("a\x1bb", "ab", ["text: removed control character U+001B (once)"]),
        ("a\x1fb", "ab", ["text: removed control character U+001F (once)"]),
        ("a\ufffeb", "ab", ["text: removed control character U+FFFE (once)"]),
        ("a\uffffb", "ab", ["text: removed control character U+FFFF (once)"]),
        ("a\ud800b", "ab", ["text: removed unpaired surrogate U+D800 (once)"]),
        ("a\udfffb", "ab", ["text: removed unpaired surrogate U+DFFF (once)"]),
        ("\x07\x07\x07", "", ["text: removed bell character (\\a) (3 times)"]),
        (
            "\x0cPage two\x07",
            "Page two",
            ["text: removed page-break character (\\f) (once)", "text: removed bell character (\\a) (once)"],
        ),
        (
            # Two surrogates side by side in a Python str are two lone surrogates, not a character.
            "a\ud83d\ude00b",
            "ab",
            ["text: removed unpaired surrogate U+D83D (once)", "text: removed unpaired surrogate U+DE00 (once)"],
        ),
    ],
)
def test_illegal_characters_are_removed_and_reported(value: str, cleaned: str, reported: list[str]) -> None:
    text, removals = clean_text(value)
    assert text == cleaned
    assert [str(r) for r in removals] == reported


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain text",
        "tab\there",
        "line one\nline two",
        "\x7f delete is legal XML",
        "\x85 next line and \x9f are legal XML",
        "\u2028 line separator",
        "Cantil-Sakauye — “quoted” ‘text’ … § 1983 ¶ 2",
        "\ue000 private use",
        "\ufffd replacement character",
        "\U0001f600 outside the BMP",
        "\U0010ffff last code point",
        "日本語のテキスト",
        "{{ not a template }} {% nor this %}",
        "<w:p>&amp;</w:p>",
    ],
)
def test_legal_text_is_left_alone(value: str) -> None:
    assert clean_text(value, "opening[0]") == (value, [])
    assert is_clean(value)


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\n\rb", "a\n\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("\r\n\r\n", "\n\n"),
        ("a\r", "a\n"),
    ],
)
def test_line_ends_become_lf_without_a_report(value: str, cleaned: str) -> None:
    assert clean_text(value) == (cleaned, [])
    assert not is_clean(value)


def test_a_cr_next_to_a_removed_character_does_not_leave_a_cr() -> None:
    text, removals = clean_text("a\r\x00\nb")
    assert text == "a\n\nb"
    assert [str(r) for r in removals] == ["text: removed NUL character (once)"]


def test_removals_name_the_path() -> None:
    _, removals = clean_text("x\x07y\x07", "addressees[1].name")
    assert removals == [Removal("addressees[1].name", "bell character (\\a)", 2)]
    assert str(removals[0]) == "addressees[1].name: removed bell character (\\a) (2 times)"


def test_removals_are_listed_in_order_of_first_appearance() -> None:
    _, removals = clean_text("\x0c\x07\x0c\x00", "concerns[2]")
    assert [(r.what, r.count) for r in removals] == [
        ("page-break character (\\f)", 2),
        ("bell character (\\a)", 1),
        ("NUL character", 1),
    ]


@pytest.mark.parametrize(
    ("value", "limit", "cleaned", "reported"),
    [
        ("abcdef", 5, "abcde", ["subject: removed 1 character past the 5-character limit (once)"]),
        ("abcdefgh", 5, "abcde", ["subject: removed 3 characters past the 5-character limit (once)"]),
        ("abcde", 5, "abcde", []),
        ("", 0, "", []),
        ("a", 0, "", ["subject: removed 1 character past the 0-character limit (once)"]),
    ],
)
def test_length_cap(value: str, limit: int, cleaned: str, reported: list[str]) -> None:
    text, removals = clean_text(value, "subject", limit=limit)
    assert text == cleaned
    assert [str(r) for r in removals] == reported
    assert is_clean(cleaned, limit=limit)


def test_default_cap_is_twenty_thousand_characters() -> None:
    assert MAX_TEXT_LENGTH == 20_000
    text, removals = clean_text("x" * 21_500, "opening[0]")
    assert text == "x" * 20_000
    assert [str(r) for r in removals] == [
        "opening[0]: removed 1,500 characters past the 20,000-character limit (once)"
    ]
    assert clean_text("x" * 20_000) == ("x" * 20_000, [])
    assert not is_clean("x" * 20_001)
    assert is_clean("x" * 20_000)


def test_the_cap_counts_what_is_left_after_removal() -> None:
    # Twenty bell characters and a full-length paragraph: only the bells go, nothing is cut.
    text, removals = clean_text("\x07" * 20 + "x" * 100, limit=100)
    assert text == "x" * 100
    assert [str(r) for r in removals] == ["text: removed bell character (\\a) (20 times)"]


def test_a_crlf_counts_as_one_character_against_the_cap() -> None:
    assert clean_text("ab\r\ncd", limit=5) == ("ab\ncd", [])


@pytest.mark.parametrize(
    ("removal", "text"),
    [
        (Removal("subject", "NUL character", 1), "subject: removed NUL character (once)"),
        (Removal("subject", "NUL character", 2), "subject: removed NUL character (2 times)"),
        (Removal("", "NUL character", 1), "text: removed NUL character (once)"),
    ],
)
def test_removal_reads_as_a_sentence(removal: Removal, text: str) -> None:
    assert str(removal) == text


# Pieces rather than characters, so that CRLF pairs and surrogates turn up often.
_ANY_TEXT = st.lists(
    st.one_of(
        st.characters(codec=None, min_codepoint=0, max_codepoint=0x2F),
        st.sampled_from(["\r", "\n", "\r\n", "\t", "\a", "\f", "\ud800", "\udfff", "\ufffe", "\uffff", "é", "—"]),
        st.characters(),
    ),
    max_size=80,
).map("".join)


@given(_ANY_TEXT, st.integers(min_value=0, max_value=60))
@example("\r\n", 1)
@example("\r\x00\n", 100)
def test_cleaning_is_idempotent(value: str, limit: int) -> None:
    once, _ = clean_text(value, "p", limit=limit)
    twice, removals = clean_text(once, "p", limit=limit)
    assert twice == once
    assert removals == []
    assert is_clean(once, limit=limit)


@given(_ANY_TEXT, st.integers(min_value=0, max_value=60))
def test_cleaned_text_is_valid_xml_text_within_the_limit(value: str, limit: int) -> None:
    text, _ = clean_text(value, limit=limit)
    assert _XML_CHAR.fullmatch(text)
    assert "\r" not in text
    assert len(text) <= limit
    text.encode("utf-8")  # no lone surrogate left to break the encoder


@given(_ANY_TEXT)
def test_is_clean_agrees_with_clean_text(value: str) -> None:
    assert is_clean(value) == (clean_text(value)[0] == value)


@given(_ANY_TEXT)
def test_nothing_is_dropped_silently(value: str) -> None:
    text, removals = clean_text(value)
    normalised = value.replace("\r\n", "\n").replace("\r", "\n")
    assert len(normalised) - len(text) == sum(r.count for r in removals)
