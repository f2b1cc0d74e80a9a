"""The letter data contract: validation in a clerk's words, cleaning on entry, JSON round trips."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.errors import LetterInvalid, Problem
from app.core.letter import (
    MAX_ADDRESS_LINES,
    MAX_ITEMS,
    MAX_LETTER_TEXT,
    Addressee,
    iter_text,
    load_letter,
    parse_letter,
    text_length,
)
from app.core.text import Removal

Data = dict[str, Any]


def letter_data() -> Data:
    """The seed letter: the Chief Justice of California to the Attorney General and the Secretary."""
    return {
        "date": "2017-03-16",
        "reference": "CJ-2017-014",
        "subject": "Immigration enforcement in California courthouses",
        "sender": {
            "court": "Supreme Court of California",
            "address": ["350 McAllister Street", "San Francisco, California 94102-4797"],
            "phone": "(415) 865-7060",
        },
        "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
        "addressees": [
            {
                "honorific": "The Honorable",
                "name": "Jeff Sessions",
                "title": "Attorney General of the United States",
                "organization": "U.S. Department of Justice",
                "address": ["950 Pennsylvania Avenue, NW", "Washington, DC 20530-0001"],
            },
            {
                "honorific": "The Honorable",
                "name": "John F. Kelly",
                "title": "Secretary of Homeland Security",
                "organization": "U.S. Department of Homeland Security",
                "address": ["Washington, DC 20528"],
            },
        ],
        "opening": ["As Chief Justice of California, I am deeply concerned about reports from some of our trial "
                    "courts that immigration agents appear to be stalking undocumented immigrants in our "
                    "courthouses to make arrests."],
        "concerns": ["Our courthouses serve as a vital forum for ensuring access to justice.",
                     "Enforcement policies that include stalking courthouses are neither safe nor fair."],
        "requested_policies": ["Refrain from enforcing immigration laws in California's courthouses."],
        "closing": ["I respectfully request that you refrain from this practice."],
        "complimentary_close": "Sincerely,",
        "cc": ["Governor Edmund G. Brown Jr."],
        "enclosures": [],
        "fields": {"tone": "firm"},
    }


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(LetterInvalid) as caught:
        parse_letter(data)
    return [(p.path, p.message) for p in caught.value.problems]


def changed(change: Callable[[Data], object]) -> Data:
    data = letter_data()
    change(data)
    return data


# --- a valid letter ----------------------------------------------------------------------------

def test_the_seed_letter_is_valid() -> None:
    parsed = parse_letter(letter_data())
    letter = parsed.letter
    assert parsed.removals == []
    assert letter.date == dt.date(2017, 3, 16)
    assert letter.date_line == "March 16, 2017"
    assert letter.salutation == "Dear Attorney General Sessions and Secretary Kelly:"
    assert letter.addressees[1].inside_address == [
        "The Honorable John F. Kelly",
        "Secretary of Homeland Security",
        "U.S. Department of Homeland Security",
        "Washington, DC 20528",
    ]
    assert letter.signatory.title == "Chief Justice of California"
    assert letter.fields == {"tone": "firm"}


def test_optional_parts_have_defaults() -> None:
    data = {
        "date": "2017-03-16",
        "subject": "S",
        "sender": {"court": "Superior Court"},
        "signatory": {"name": "Jane Roe", "title": "Presiding Judge"},
        "addressees": [{"name": "John Doe", "title": "Mayor"}],
        "closing": ["Thank you."],
    }
    letter = parse_letter(data).letter
    assert letter.template == "officials-concern"
    assert letter.complimentary_close == "Sincerely,"
    assert letter.reference is None
    assert (letter.opening, letter.concerns, letter.requested_policies) == ([], [], [])
    assert (letter.cc, letter.enclosures, letter.fields) == ([], [], {})
    assert letter.sender.address == []
    assert letter.addressees[0].honorific is None
    assert letter.salutation == "Dear Mayor Doe:"


@pytest.mark.parametrize("section", ["opening", "concerns", "closing"])
def test_one_paragraph_in_any_body_section_is_enough(section: str) -> None:
    data = letter_data()
    data.update(opening=[], concerns=[], closing=[], requested_policies=[])
    data[section] = ["One paragraph."]
    assert parse_letter(data).letter


def test_letters_are_immutable() -> None:
    letter = parse_letter(letter_data()).letter
    with pytest.raises(ValidationError):
        letter.subject = "Changed"  # type: ignore[misc]


# --- validation errors in a clerk's words ---------------------------------------------------------

def _delete(*path: str | int) -> Callable[[Data], object]:
    def change(data: Data) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return change


def _set(value: Any, *path: str | int) -> Callable[[Data], object]:
    def change(data: Data) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(change, expected, id=expected[0])
        for change, expected in [
            (_delete("date"), ("date", "required")),
            (_delete("subject"), ("subject", "required")),
            (_delete("sender"), ("sender", "required")),
            (_delete("sender", "court"), ("sender.court", "required")),
            (_delete("signatory"), ("signatory", "required")),
            (_delete("signatory", "name"), ("signatory.name", "required")),
            (_delete("signatory", "title"), ("signatory.title", "required")),
            (_delete("addressees"), ("addressees", "required")),
            (_delete("addressees", 0, "name"), ("addressees[0].name", "required (the first addressee)")),
            (_delete("addressees", 1, "name"), ("addressees[1].name", "required (the second addressee)")),
        ]
    ],
)
def test_missing_field(change: Callable[[Data], object], expected: tuple[str, str]) -> None:
    assert problems(changed(change)) == [expected]


@pytest.mark.parametrize("blank", ["", " ", "\t\n  "], ids=["empty", "space", "whitespace"])
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(path, expected, id=expected[0])
        for path, expected in [
            (("subject",), ("subject", "required")),
            (("sender", "court"), ("sender.court", "required")),
            (("signatory", "name"), ("signatory.name", "required")),
            (("signatory", "title"), ("signatory.title", "required")),
            (("addressees", 1, "name"), ("addressees[1].name", "required (the second addressee)")),
        ]
    ],
)
def test_blank_required_text(blank: str, path: tuple[str | int, ...], expected: tuple[str, str]) -> None:
    assert problems(changed(_set(blank, *path))) == [expected]


def test_an_addressee_title_is_optional_where_protocol_has_none() -> None:
    # A private person or a member of the clergy may hold no office to print (issue 9).
    letter = parse_letter(changed(lambda d: d["addressees"][1].pop("title"))).letter
    assert letter.addressees[1].title is None
    assert letter.addressees[1].inside_address[1] == "U.S. Department of Homeland Security"


@pytest.mark.parametrize(
    "date",
    ["16/03/2017", "03/16/2017", "March 16, 2017", "2017-3-16", "2017-02-30", "2017-13-01", "17-03-16", "", "today",
     None, [2017, 3, 16]],
)
def test_wrong_date_format(date: Any) -> None:
    assert problems(changed(_set(date, "date"))) == [("date", "is not a date; write it as YYYY-MM-DD, e.g. 2017-03-16")]


@pytest.mark.parametrize(("date", "day"), [("2017-03-16", dt.date(2017, 3, 16)), ("2016-02-29", dt.date(2016, 2, 29))])
def test_iso_dates_are_accepted(date: str, day: dt.date) -> None:
    assert parse_letter(changed(_set(date, "date"))).letter.date == day


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("x", "sujbect"), ("sujbect", "is not part of a letter (check the spelling of this key)")),
        (_set("x", "sender", "fax"), ("sender.fax", "is not part of a letter (check the spelling of this key)")),
        (_set("x", "signatory", "seal"),
         ("signatory.seal", "is not part of a letter (check the spelling of this key)")),
    ],
)
def test_unknown_key(change: Callable[[Data], object], expected: tuple[str, str]) -> None:
    assert problems(changed(change)) == [expected]


def test_unknown_key_in_an_addressee_names_the_addressee() -> None:
    [(path, message)] = problems(changed(_set("x", "addressees", 1, "nmae")))
    assert path == "addressees[1].nmae"
    assert message.startswith("is not part of a letter (check the spelling of this key)")
    assert "second addressee" in message


@pytest.mark.parametrize(
    "section", ["opening", "concerns", "requested_policies", "closing", "cc", "enclosures"]
)
def test_too_many_paragraphs(section: str) -> None:
    assert problems(changed(_set(["x"] * (MAX_ITEMS + 1), section))) == [
        (section, "has too many entries (at most 100)")
    ]
    assert parse_letter(changed(_set(["x"] * MAX_ITEMS, section))).letter


def test_too_many_addressees() -> None:
    many = [{"name": "Jane Roe", "title": "Judge"}] * (MAX_ITEMS + 1)
    assert problems(changed(_set(many, "addressees"))) == [("addressees", "has too many entries (at most 100)")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("sender", "address"), ("sender.address", "has too many entries (at most 8)")),
        (("addressees", 0, "address"),
         ("addressees[0].address", "has too many entries (at most 8) (the first addressee)")),
    ],
)
def test_too_many_address_lines(path: tuple[str | int, ...], expected: tuple[str, str]) -> None:
    assert MAX_ADDRESS_LINES == 8
    assert problems(changed(_set(["line"] * 9, *path))) == [expected]
    assert parse_letter(changed(_set(["line"] * 8, *path))).letter


def test_no_addressee() -> None:
    assert problems(changed(_set([], "addressees"))) == [("addressees", "the letter needs at least one addressee")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(5, "subject"), ("subject", "must be text")),
        (_set(["a"], "subject"), ("subject", "must be text")),
        (_set(None, "complimentary_close"), ("complimentary_close", "must be text")),
        (_set("One paragraph.", "opening"), ("opening", "must be a list")),
        (_set({"name": "x"}, "addressees"), ("addressees", "must be a list")),
        (_set("Supreme Court", "sender"), ("sender", "must be an object with named entries")),
        (_set(["Jane"], "signatory"), ("signatory", "must be an object with named entries")),
        (_set("Jeff Sessions", "addressees", 0),
         ("addressees[0]", "must be an object with named entries (the first addressee)")),
        (_set([5], "opening"), ("opening[0]", "must be text (the first opening paragraph)")),
        (_set(["ok", None], "concerns"), ("concerns[1]", "must be text (the second concern)")),
        (_set(["a", "b", True], "requested_policies"),
         ("requested_policies[2]", "must be text (the third requested policy)")),
        (_set([{}], "closing"), ("closing[0]", "must be text (the first closing paragraph)")),
        (_set([1], "cc"), ("cc[0]", "must be text (the first cc line)")),
        (_set([1], "enclosures"), ("enclosures[0]", "must be text (the first enclosure)")),
        (_set(42, "addressees", 1, "name"), ("addressees[1].name", "must be text (the second addressee)")),
        (_set("list", "fields"), ("fields", "must be an object with named entries")),
    ],
)
def test_wrong_type(change: Callable[[Data], object], expected: tuple[str, str]) -> None:
    assert problems(changed(change)) == [expected]


def test_a_field_value_must_be_plain() -> None:
    found = problems(changed(_set({"tone": ["firm"]}, "fields")))
    assert found
    assert all(path.startswith("fields.tone") for path, _ in found)


@pytest.mark.parametrize(
    "body",
    [
        {"opening": [], "concerns": [], "closing": []},
        {"opening": [" "], "concerns": ["\n"], "closing": [""]},
        {"opening": [], "concerns": [], "closing": [], "requested_policies": ["A policy alone is not a letter."]},
    ],
)
def test_a_letter_needs_text(body: Data) -> None:
    assert problems(changed(lambda d: d.update(body))) == [
        ("", "the letter has no text: write at least one paragraph in opening, concerns or closing")
    ]


def test_every_problem_is_reported_at_once() -> None:
    def break_it(data: Data) -> None:
        del data["date"]
        data["subject"] = ""
        data["addressees"][1]["name"] = " "
        data["concerns"] = "not a list"
    found = problems(changed(break_it))
    assert sorted(found) == sorted([
        ("date", "required"),
        ("subject", "required"),
        ("addressees[1].name", "required (the second addressee)"),
        ("concerns", "must be a list"),
    ])


def test_the_error_message_lists_path_and_problem() -> None:
    with pytest.raises(LetterInvalid) as caught:
        parse_letter(changed(_delete("addressees", 1, "name")))
    assert str(caught.value) == "addressees[1].name: required (the second addressee)"
    assert caught.value.problems == [Problem("addressees[1].name", "required (the second addressee)")]


@pytest.mark.parametrize("data", [[], "letter", None, 5])
def test_a_letter_must_be_an_object(data: Any) -> None:
    assert problems(data) == [("", "a letter must be a JSON object with named entries")]


# --- cleaning on entry ---------------------------------------------------------------------------

def test_illegal_characters_are_removed_and_reported_with_their_path() -> None:
    def dirty(data: Data) -> None:
        data["subject"] = "Immigration\x00 enforcement"
        data["addressees"][1]["name"] = "John F.\x07 Kelly"
        data["concerns"][1] = "\x0cEnforcement\ud800 policies"
        data["fields"]["tone"] = "fi\x1brm"
    parsed = parse_letter(changed(dirty))
    assert parsed.letter.subject == "Immigration enforcement"
    assert parsed.letter.addressees[1].name == "John F. Kelly"
    assert parsed.letter.concerns[1] == "Enforcement policies"
    assert parsed.letter.fields["tone"] == "firm"
    assert [str(r) for r in parsed.removals] == [
        "subject: removed NUL character (once)",
        "addressees[1].name: removed bell character (\\a) (once)",
        "concerns[1]: removed page-break character (\\f) (once)",
        "concerns[1]: removed unpaired surrogate U+D800 (once)",
        "fields.tone: removed control character U+001B (once)",
    ]


def test_line_ends_are_normalised_silently() -> None:
    parsed = parse_letter(changed(_set(["First line\r\nsecond line\rthird line"], "opening")))
    assert parsed.letter.opening == ["First line\nsecond line\nthird line"]
    assert parsed.removals == []


def test_bell_and_page_break_are_stripped_and_reported() -> None:
    parsed = parse_letter(changed(_set(["Ring\a the bell\f and turn the page\f"], "closing")))
    assert parsed.letter.closing == ["Ring the bell and turn the page"]
    assert parsed.removals == [
        Removal("closing[0]", "bell character (\\a)", 1),
        Removal("closing[0]", "page-break character (\\f)", 2),
    ]


def test_overlong_text_is_refused_not_cut() -> None:
    assert problems(changed(_set(["x" * 20_010], "concerns"))) == [
        ("concerns[0]", "is too long (at most 20,000 characters) (the first concern)")
    ]


def _filled_to(total: int) -> Data:
    """The seed letter with concerns added until its text is exactly ``total`` characters."""
    data = letter_data()
    room = total - text_length(parse_letter(data).letter)
    data["concerns"] = [*data["concerns"], *(["c" * 20_000] * (room // 20_000)), "c" * (room % 20_000)]
    return data


def test_a_letter_may_hold_its_whole_text_budget() -> None:
    letter = parse_letter(_filled_to(MAX_LETTER_TEXT)).letter
    assert text_length(letter) == MAX_LETTER_TEXT


def test_a_letter_over_its_whole_text_budget_is_refused_naming_the_letter() -> None:
    """Every value within its own limit, and the letter as a whole still too long: refused,
    never cut, with the letter as the problem's path and both numbers in the message."""
    total = MAX_LETTER_TEXT + 1
    assert problems(_filled_to(total)) == [
        ("letter", f"total text is {total:,} characters (at most {MAX_LETTER_TEXT:,}); "
                   "shorten the letter or split it in two")]
    with pytest.raises(LetterInvalid) as caught:
        parse_letter(_filled_to(total))
    assert str(caught.value).startswith(f"letter: total text is {total:,} characters")


def test_the_seal_reference_is_not_text_of_the_letter() -> None:
    data = letter_data()
    data["sender"]["seal"] = "sha256:" + "0" * 64
    with_seal, without = parse_letter(data).letter, parse_letter(letter_data()).letter
    assert text_length(with_seal) == text_length(without)


def test_a_name_made_only_of_illegal_characters_is_still_required() -> None:
    data = changed(_set("\x00\x07", "signatory", "name"))
    assert problems(data) == [("signatory.name", "required")]


def test_the_model_refuses_uncleaned_text() -> None:
    # Constructing a Letter directly (not through parse_letter) must not let dirty text in.
    with pytest.raises(ValidationError, match="clean the text first"):
        Addressee(name="Jeff\x00 Sessions", title="Attorney General")


_PIECES = st.sampled_from(["a", "Z", " ", "\n", "\r", "\r\n", "\t", "\a", "\f", "\x00", "\ud800", "\uffff", "é", "—"])
_DIRTY = st.lists(_PIECES, min_size=1, max_size=30).map("".join).map(lambda s: "Text " + s)


@settings(max_examples=60, deadline=None)
@given(subject=_DIRTY, name=_DIRTY, paragraphs=st.lists(_DIRTY, min_size=1, max_size=3))
def test_cleaning_is_idempotent(subject: str, name: str, paragraphs: list[str]) -> None:
    data = letter_data()
    data["subject"] = subject
    data["addressees"][0]["name"] = name
    data["concerns"] = paragraphs
    first = parse_letter(data)
    second = parse_letter(first.letter.to_data())
    assert second.removals == []
    assert second.letter == first.letter


# --- JSON round trip ---------------------------------------------------------------------------------

def test_to_json_round_trips() -> None:
    letter = parse_letter(letter_data()).letter
    text = letter.to_json()
    again = parse_letter(json.loads(text))
    assert again.letter == letter
    assert again.removals == []
    assert json.loads(text)["date"] == "2017-03-16"


def test_to_json_leaves_out_what_is_not_set() -> None:
    data = letter_data()
    del data["reference"]
    del data["addressees"][0]["honorific"]
    stored = json.loads(parse_letter(data).letter.to_json())
    assert "reference" not in stored
    assert "honorific" not in stored["addressees"][0]
    assert "salutation" not in stored["addressees"][0]


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff") | st.just("\n"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    subject=_TEXT.filter(str.strip),
    concerns=st.lists(_TEXT, max_size=4),
    salutation=st.none() | _TEXT,
    fields=st.dictionaries(
        st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
        st.none() | st.booleans() | st.integers(-10**6, 10**6) | _TEXT,
        max_size=4,
    ),
)
def test_any_valid_letter_round_trips(
    date: dt.date, subject: str, concerns: list[str], salutation: str | None, fields: dict[str, Any]
) -> None:
    data = letter_data()
    data.update(date=date.isoformat(), subject=subject, concerns=concerns, fields=fields)
    data["addressees"][1]["salutation"] = salutation
    letter = parse_letter(data).letter
    assert parse_letter(json.loads(letter.to_json())).letter == letter


def test_to_data_is_plain_json() -> None:
    data = parse_letter(letter_data()).letter.to_data()
    assert data["date"] == "2017-03-16"
    assert json.loads(json.dumps(data)) == data


# --- reading letter files --------------------------------------------------------------------------

def test_load_letter(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text(json.dumps(letter_data()), encoding="utf-8")
    assert load_letter(path).letter.salutation == "Dear Attorney General Sessions and Secretary Kelly:"


def test_load_letter_reports_escaped_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    text = json.dumps(letter_data()).replace("Immigration enforcement", "Immigration\\udc80 enforcement")
    path.write_text(text, encoding="utf-8")
    parsed = load_letter(path)
    assert parsed.letter.subject.startswith("Immigration enforcement")
    assert [str(r) for r in parsed.removals] == ["subject: removed unpaired surrogate U+DC80 (once)"]


def test_load_letter_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(LetterInvalid) as caught:
        load_letter(path)
    assert str(caught.value) == f"{path}: no such file"


def test_load_letter_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text('{\n  "date": "2017-03-16",\n  "subject": \n}', encoding="utf-8")
    with pytest.raises(LetterInvalid) as caught:
        load_letter(path)
    assert str(caught.value) == f"{path}: not valid JSON at line 4, column 1: Expecting value"


def test_load_letter_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_bytes(json.dumps(letter_data()).encode("utf-8").replace(b"Immigration", b"Immigraci\xf3n"))
    with pytest.raises(LetterInvalid) as caught:
        load_letter(path)
    assert str(caught.value).startswith(f"{path}: cannot be read (")


def test_load_letter_validation_problems(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text(json.dumps(changed(_delete("subject"))), encoding="utf-8")
    with pytest.raises(LetterInvalid) as caught:
        load_letter(path)
    assert caught.value.problems == [Problem("subject", "required")]


def test_load_letter_array(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(LetterInvalid) as caught:
        load_letter(path)
    assert str(caught.value) == "a letter must be a JSON object with named entries"


# --- every piece of text with its path ----------------------------------------------------------------

def test_iter_text_gives_paths_a_clerk_can_follow() -> None:
    texts = dict(iter_text(parse_letter(letter_data()).letter))
    assert texts["subject"] == "Immigration enforcement in California courthouses"
    assert texts["addressees[1].name"] == "John F. Kelly"
    assert texts["addressees[0].address[1]"] == "Washington, DC 20530-0001"
    assert texts["concerns[1]"].startswith("Enforcement policies")
    assert texts["fields.tone"] == "firm"
    assert texts["date"] == "2017-03-16"
    assert "reference" in texts
    assert not any(path.startswith("enclosures") for path in texts)



@pytest.mark.parametrize("date", [0, 20170316, 1489622400.0, "2017-03-16T00:00:00"])
def test_numbers_and_timestamps_are_not_dates(date: Any) -> None:
    assert problems(changed(_set(date, "date"))) == [("date", "is not a date; write it as YYYY-MM-DD, e.g. 2017-03-16")]


def test_a_field_of_the_wrong_type_is_one_problem() -> None:
    assert problems(changed(_set({"a": 1}, "fields", "x"))) == [("fields.x", "must be text, a number, or true/false")]


def test_addressees_past_the_tenth_are_counted_in_figures() -> None:
    data = letter_data()
    data["addressees"] = [dict(data["addressees"][0]) for _ in range(12)]
    del data["addressees"][11]["name"]
    assert problems(data) == [("addressees[11].name", "required (the 12th addressee)")]
