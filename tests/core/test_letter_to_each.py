"""A mail merge parses the letter once and each addressee alone, with parse_letter's very result."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import LetterInvalid
from app.core.letter import MAX_LETTER_TEXT, LetterToEach, parse_letter, text_length
from tests.conftest import sample_data

ADDRESSEES: list[Any] = [
    {"name": "Jeff Sessions", "honorific": "The Honorable", "title": "Attorney General",
     "address": ["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"]},
    {"name": "Catherine Cortez Masto", "surname": "Cortez Masto", "title": "Senator"},
    {"name": "Ana\x07 Ruiz\r\nLópez", "title": "Consul\u0000 General", "address": ["Line\x0c one"]},  # cleaned
    {"name": "  ", "title": "Judge"},                          # required, refused
    {"name": "A B", "rank": "Colonel"},                        # not part of an addressee
    {"name": "A B", "title": "x" * 20_001},                    # longer than a field may be
    {"name": "A B", "address": ["line"] * 40},                 # more lines than an address holds
    {"name": 42},                                              # not text
    "Jeff Sessions",                                           # not an addressee at all
]


def _outcome(parse: Any, addressee: Any) -> tuple[str, Any, list[str]]:
    try:
        parsed = parse(addressee)
    except LetterInvalid as exc:
        return "refused", None, [str(problem) for problem in exc.problems]
    return "parsed", parsed.letter, [str(removal) for removal in parsed.removals]


def _compare(letter: dict[str, Any], addressees: list[Any]) -> int:
    each = LetterToEach(letter)
    refused = 0
    for addressee in addressees:
        fast = _outcome(each.parse, addressee)
        whole = _outcome(lambda a: parse_letter({**letter, "addressees": [a]}), addressee)
        assert fast == whole, addressee
        if fast[1] is not None:
            assert fast[1].to_json() == whole[1].to_json()
        refused += fast[0] == "refused"
    return refused


def test_each_addressee_gets_the_letter_parse_letter_makes() -> None:
    assert _compare(sample_data(), ADDRESSEES) == 6


def test_a_letter_with_text_to_clean_keeps_its_notes_for_every_addressee() -> None:
    letter = sample_data()
    letter["subject"] = "Immigration\x07 enforcement\r\nin courthouses"
    letter["opening"] = ["First\x0c paragraph.", *letter["opening"]]
    assert _compare(letter, ADDRESSEES) == 6


@pytest.mark.parametrize("change", ["no subject", "no body", "unknown key", "bad date"])
def test_a_letter_that_is_wrong_itself_is_refused_for_every_addressee_in_its_words(change: str) -> None:
    letter = sample_data()
    if change == "no subject":
        letter["subject"] = " "
    elif change == "no body":
        letter["opening"] = letter["concerns"] = letter["closing"] = []
    elif change == "unknown key":
        letter["postscript"] = "P.S."
    else:
        letter["date"] = "16 March 2017"
    assert _compare(letter, ADDRESSEES) == len(ADDRESSEES)


def test_an_addressee_that_takes_the_letter_past_its_total_text_is_refused_as_the_whole_letter_is() -> None:
    letter = sample_data()
    whole = parse_letter(letter).letter
    room = MAX_LETTER_TEXT - (text_length(whole) - sum(text_length(a) for a in whole.addressees))
    filler = room - 30  # in paragraphs of at most 20,000 characters, as a field may hold
    letter["closing"] = [*letter["closing"], *(["y" * 20_000] * (filler // 20_000)), "y" * (filler % 20_000)]
    short = {"name": "Ann Lee"}
    long = {"name": "Ann Lee", "organization": "z" * 40}
    assert _compare(letter, [short, long]) == 1
