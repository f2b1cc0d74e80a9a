"""The letter: plain data, validated, stored as JSON and rendered by any template pack.

The JSON shape is the product's data contract; it only grows by optional keys.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.core import address as forms
from app.core import jsondata, vocabulary
from app.core.dates import date_line
from app.core.errors import LetterInvalid, Problem
from app.core.text import Removal, clean_text, is_clean

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ITEMS = 100  # paragraphs in one section, addressees, cc or enclosure lines
MAX_ADDRESS_LINES = 8
#: Characters of text in one whole letter, every value counted (the seal's hash is not text).
#: What a real court letter needs, generously: a body of about 25 single-spaced pages
#: (3,000 characters a page: 75,000), a hundred addressees with full inside addresses (about
#: 250 characters each: 25,000) and the letterhead, cc and enclosure lines besides. The
#: flagship letter holds about 4,000. Each value may still be 20,000 long and each list 100
#: entries, but not all at once: a letter at every one of those limits would be 40 million
#: characters, and a pack sound for that letter would have to survive what no court writes.
MAX_LETTER_TEXT = 120_000
#: The error type (and problem path) of a letter over ``MAX_LETTER_TEXT``.
_TOO_MUCH_TEXT = "letter_text_too_long"

FieldValue = Annotated[str, Field(max_length=20_000)] | bool | int | Annotated[float, Field(allow_inf_nan=False)] | None


def _check_text(value: str) -> str:
    if not is_clean(value):
        raise ValueError("contains characters a Word document cannot hold; clean the text first")
    return value


CleanStr = Annotated[str, Field(max_length=20_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _check_text(value)
        if isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, str):
                    _check_text(item)
        return value


def _required_text(value: str) -> str:
    if not value.strip():
        raise ValueError("required")
    return value


SEAL_REFERENCE = re.compile(r"sha256:[0-9a-f]{64}")


def _seal_reference(value: str | None) -> str | None:
    if value is not None and not SEAL_REFERENCE.fullmatch(value):
        raise ValueError('must be "sha256:" followed by the 64 lower-case hex digits of the seal image\'s SHA-256')
    return value


class Sender(_Model):
    """The court that sends the letter: its name, chambers line, address lines, contacts and seal.

    ``seal`` pins the letterhead's seal image by its hash, so that a version's JSON alone says what
    prints: an approval covers the seal the judge saw, whatever the office profile says later.
    """

    court: CleanStr
    # "Chambers of the Chief Justice": printed under the court's name when given.
    chambers: CleanStr | None = None
    address: list[CleanStr] = Field(default_factory=list, max_length=MAX_ADDRESS_LINES)
    phone: CleanStr | None = None
    email: CleanStr | None = None
    seal: str | None = None

    _court = field_validator("court")(_required_text)
    _seal = field_validator("seal")(_seal_reference)


class Signatory(_Model):
    """The judge who signs the letter (not the clerk who drafts it)."""

    name: CleanStr
    title: CleanStr
    signature_image: CleanStr | None = None

    _name = field_validator("name", "title")(_required_text)


class Addressee(_Model):
    """One official the letter is addressed to."""

    honorific: CleanStr | None = None
    name: CleanStr
    # Optional: a private person, or a member of the clergy, may hold no office to print.
    title: CleanStr | None = None
    organization: CleanStr | None = None
    address: list[CleanStr] = Field(default_factory=list, max_length=MAX_ADDRESS_LINES)
    # The whole salutation line as the clerk wants it ("Excellency:"); see address._override.
    salutation: CleanStr | None = None
    # What no rule can know: a two-word family name ("Cortez Masto"), a family name written first.
    surname: CleanStr | None = None
    given_name: CleanStr | None = None
    # Mr., Ms., Mrs., Mx.: for "Dear Madam Speaker:" when the honorific is "The Honorable".
    courtesy: CleanStr | None = None

    _name = field_validator("name")(_required_text)

    @property
    def inside_address(self) -> list[str]:
        return forms.inside_address(self)

    @property
    def salutation_name(self) -> str:
        return forms.salutation_name(self)

    @property
    def salutation_line(self) -> str:
        return forms.salutation_line(self)


class Letter(_Model):
    """A formal letter from a court to one or more officials."""

    template: CleanStr = "officials-concern"
    date: dt.date
    reference: CleanStr | None = None
    subject: CleanStr
    sender: Sender
    signatory: Signatory
    addressees: list[Addressee] = Field(min_length=1, max_length=MAX_ITEMS)
    opening: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    concerns: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    requested_policies: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    closing: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    complimentary_close: CleanStr = "Sincerely,"
    cc: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    enclosures: list[CleanStr] = Field(default_factory=list, max_length=MAX_ITEMS)
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=MAX_ITEMS)
    # "Dear Members of the Judicial Council:", used for the whole letter when given.
    group_salutation: CleanStr | None = None

    _subject = field_validator("subject")(_required_text)

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_written(cls, value: Any) -> Any:
        if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
            raise ValueError("is not a date; write it as YYYY-MM-DD, e.g. 2017-03-16")
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError("is not a date; write it as YYYY-MM-DD, e.g. 2017-03-16")
        return value

    @model_validator(mode="after")
    def _total_text(self) -> Letter:
        total = text_length(self)
        if total > MAX_LETTER_TEXT:
            # Worded here: pydantic's message template knows no thousands separators.
            raise PydanticCustomError(
                _TOO_MUCH_TEXT, f"total text is {total:,} characters (at most {MAX_LETTER_TEXT:,}); "
                                "shorten the letter or split it in two")
        return self

    @model_validator(mode="after")
    def _has_body(self) -> Letter:
        if not any(p.strip() for p in (*self.opening, *self.concerns, *self.closing)):
            raise ValueError(
                "the letter has no text: write at least one paragraph in opening, "
                "concerns or closing"
            )
        return self

    # Derived forms, computed by the rules in app.core.address.
    @property
    def date_line(self) -> str:
        return date_line(self.date)

    @property
    def salutation(self) -> str:
        return forms.joint_salutation(self.addressees, self.group_salutation)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True)

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def text_length(model: BaseModel) -> int:
    """Characters of text in ``model`` and everything it holds (a seal's hash is not text)."""
    total = 0
    stack: list[Any] = [model]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, BaseModel):
            stack.extend(value for name, value in item.__dict__.items()
                         if not (isinstance(item, Sender) and name == "seal"))
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return total


@dataclass
class ParsedLetter:
    """A valid letter and what cleaning took out of its text on the way in."""

    letter: Letter
    removals: list[Removal] = field(default_factory=list)


def _ordinal(n: int) -> str:
    words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth"]
    return words[n] if n < len(words) else f"{n + 1}th"


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_SECTION_NAMES = {s.key: s.singular for s in (vocabulary.ADDRESSEES, *vocabulary.SECTIONS)}


def _explain(loc: tuple[int | str, ...], error_type: str, message: str, ctx: Mapping[str, Any]) -> str:
    """Turn a pydantic error into words a clerk understands."""
    if error_type == "missing" or message == "Value error, required":
        text = "required"
    elif error_type == "extra_forbidden":
        text = "is not part of a letter (check the spelling of this key)"
    elif error_type in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        text = "is not a date; write it as YYYY-MM-DD, e.g. 2017-03-16"
    elif error_type == "too_short" and loc and loc[-1] == "addressees":
        text = "the letter needs at least one addressee"
    elif error_type == "too_long":
        text = f"has too many entries (at most {ctx.get('max_length', MAX_ITEMS)})"
    elif error_type == "string_too_long":
        text = f"is too long (at most {ctx.get('max_length'):,} characters)"
    elif error_type == "finite_number":
        text = "is not a number a letter can hold (infinite or not a number)"
    elif error_type in ("string_type",):
        text = "must be text"
    elif error_type in ("list_type",):
        text = "must be a list"
    elif error_type in ("model_type", "model_attributes_type", "dict_type"):
        text = "must be an object with named entries"
    elif message.startswith("Value error, "):
        text = message.removeprefix("Value error, ")
    else:
        text = message[0].lower() + message[1:]
    # "the second addressee" reads better than "addressees[1]" for a clerk.
    for i, part in enumerate(loc[:-1]):
        if isinstance(loc[i + 1], int) and part in _SECTION_NAMES:
            index = loc[i + 1]
            assert isinstance(index, int)
            text += f" (the {_ordinal(index)} {_SECTION_NAMES[str(part)]})"
            break
    return text


def problems_from(error: ValidationError, what: str = "a letter") -> list[Problem]:
    """The problems in a pydantic error, with JSON paths and plain words.

    A value in ``fields`` may be text, a number or yes/no; pydantic reports one error per
    alternative, which a clerk should see as one problem.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    errors = error.errors()
    # A value of the right kind but over a limit says so, not "must be text, a number, ...".
    specific = {(e["loc"][0], e["loc"][1]): e for e in errors
                if len(e["loc"]) > 2 and e["type"] in ("string_too_long", "finite_number")}
    for item in errors:
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        if len(loc) > 2 and loc[0] == "fields" and isinstance(loc[1], str):
            path = _path(loc[:2])
            if path not in seen:
                seen.add(path)
                text = "must be text, a number, or true/false"
                limit = specific.get((item["loc"][0], item["loc"][1]))
                if limit is not None:
                    text = _explain(loc, limit["type"], limit["msg"], limit.get("ctx") or {})
                problems.append(Problem(path, text))
            continue
        if item["type"] == _TOO_MUCH_TEXT and not loc:
            # The whole letter is over: no one field is at fault, so the path names the letter.
            problems.append(Problem("letter", item["msg"]))
            continue
        text = _explain(loc, item["type"], item["msg"], item.get("ctx") or {})
        problems.append(Problem(_path(loc), text.replace("is not part of a letter", f"is not part of {what}")))
    return problems


def _clean_tree(value: Any, path: str, removals: list[Removal]) -> Any:
    # No length cap here: text past the limit is refused with its path by validation, never
    # cut, so a clerk's words are not lost (the renderer still caps as a last defence).
    if isinstance(value, str):
        cleaned, found = clean_text(value, path, limit=sys.maxsize)
        removals.extend(found)
        return cleaned
    if isinstance(value, list):
        return [_clean_tree(v, f"{path}[{i}]", removals) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _clean_tree(v, f"{path}.{k}" if path else str(k), removals)
                for k, v in value.items()}
    return value


def parse_letter(data: Any) -> ParsedLetter:
    """Clean and validate raw letter data (a dict from JSON); raise ``LetterInvalid``."""
    if not isinstance(data, dict):
        raise LetterInvalid([Problem("", "a letter must be a JSON object with named entries")])
    removals: list[Removal] = []
    cleaned = _clean_tree(data, "", removals)
    try:
        letter = Letter.model_validate(cleaned)
    except ValidationError as exc:
        raise LetterInvalid(problems_from(exc)) from None
    return ParsedLetter(letter, removals)


def load_letter(path: Path) -> ParsedLetter:
    """Read a letter from a JSON file strictly, with clear errors for unreadable or broken files."""
    return parse_letter(jsondata.load_file(path))


def iter_text(letter: Letter) -> Iterator[tuple[str, str]]:
    """Every piece of text in a letter with its path, for spell checking and previews.

    The seal reference is a hash, not words: nothing spell-checks or shows it."""
    def walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
        if path == "sender.seal":
            return
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{path}[{i}]")
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, f"{path}.{k}" if path else k)
    yield from walk(letter.to_data(), "")
