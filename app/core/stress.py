"""The stress letters: valid letters at every size limit of the data contract, for one pack.

``templates check`` renders them (and the pack's sample) with the budgets of a real render, so a
pack that loops over every concern for every addressee, or copies the subject into itself, is
called unsound when it is checked rather than found out by the clerk whose letter is longest.

No one letter can be at every limit at once: the whole letter may hold ``MAX_LETTER_TEXT``
characters, far less than every value at its longest. So every stress letter has every list as
full as ``app.core.letter`` allows and exactly ``MAX_LETTER_TEXT`` characters of text, and the
letters take turns at the long values: in each, a few kinds of value (the subject, the first
concern, the first addressee's name, a field, ...) are as long as one value may be and the rest
share what is left, so that every kind of value is at its longest in one of them. One more
letter spreads the text evenly. The words hold the characters a letter must escape (``&``,
``<``, quotes), and long paragraphs break their lines, so escaping and line breaks are tried at
size too.

``long_letter`` is of another kind: an ordinary letter made long the way a real one is (many
officials addressed at once, many concerns), from a pack's sample; the window's tests and the
typing benchmark time and check the desk on it.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import ValidationError

from app.core.errors import LetterInvalid
from app.core.letter import MAX_ADDRESS_LINES, MAX_ITEMS, MAX_LETTER_TEXT, CleanStr, Letter, problems_from
from app.core.packs import CORE_SECTIONS, Manifest, PackField
from app.core.vocabulary import ADDRESSEE_FIELDS

#: The date whose spelled-out form is among the longest ("September 30, 2017").
STRESS_DATE = "2017-09-30"
#: A number field's value: as wide as any court would print.
STRESS_NUMBER = 999_999_999_999
_WORDS = "Court & counsel <review> \"quoted\" 'text' \u00a7 12(b) \u2014 Hon. Jane Q. Public-Smith, "


@functools.cache
def stress_seal_png() -> bytes:
    """The seal image the stress letter pins: a plain 64x64 PNG, so that trial renders also
    swap the pack's seal for the letter's own, as every letter from an office profile does."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * 64 for _ in range(64))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


STRESS_SEAL = "sha256:" + hashlib.sha256(stress_seal_png()).hexdigest()


def max_text_length() -> int:
    """The longest text the data contract allows in one value (read from ``CleanStr``)."""
    for meta in get_args(CleanStr)[1:]:
        for limit in getattr(meta, "metadata", ()):
            if isinstance(getattr(limit, "max_length", None), int):
                return int(limit.max_length)
    raise RuntimeError("CleanStr has no length limit")  # pragma: no cover - a contract change


def _text(tag: str, length: int, *, lines: bool = False) -> str:
    """``length`` characters starting with ``tag``; with ``lines``, a line break every ~500."""
    chunk = _WORDS + ("\n" if lines else "")
    body = tag + " " + chunk * (length // len(chunk) + 1)
    return body[:length - 1] + "." if length > 1 else body[:length]


#: Kinds of value at their longest in one stress letter: with every list full (about 1,900
#: values) and ``MAX_LETTER_TEXT`` of 120,000 characters, four values of 20,000 leave about
#: 20 characters each for the rest, enough for a name or a line of an address.
LONG_AT_ONCE = 4
GROUP_SALUTATION = "group_salutation"


@dataclass
class _Slot:
    """One text value of the stress letter, filled in once its length is known."""

    holder: Any  # the dict (by key) or list (by index) the value goes in
    key: Any
    tag: str
    lines: bool  # a long value breaks its lines (a paragraph, a multi-line field)
    kind: str | None  # a kind of value that takes its turn at its longest, or None


def _skeleton(manifest: Manifest) -> tuple[dict[str, Any], list[_Slot]]:
    """The stress letter's data with every list full and its text still to be written."""
    slots: list[_Slot] = []

    def slot(holder: Any, key: Any, tag: str, kind: str | None, *, lines: bool = False) -> None:
        if isinstance(holder, list):
            holder.append(None)
        else:
            holder[key] = None
        slots.append(_Slot(holder, key, tag, lines, kind))

    data: dict[str, Any] = {"template": manifest.id, "date": STRESS_DATE}
    slot(data, "reference", "Reference", "reference")
    slot(data, "subject", "Subject", "subject")
    sender: dict[str, Any] = {"address": [], "seal": STRESS_SEAL}
    for key in ("court", "chambers", "phone", "email"):
        slot(sender, key, f"Court {key}", f"sender.{key}")
    for j in range(MAX_ADDRESS_LINES):
        slot(sender["address"], j, f"Court address {j}", "sender.address" if j == 0 else None)
    signatory: dict[str, Any] = {}
    slot(signatory, "name", "Signatory", "signatory.name")
    slot(signatory, "title", "Signatory title", "signatory.title")
    addressees: list[dict[str, Any]] = []
    for i in range(MAX_ITEMS):
        person: dict[str, Any] = {"address": []}
        first = i == 0
        # The salutation override and the address lines are filled below, in their own ways.
        for key in (f.key for f in ADDRESSEE_FIELDS if f.kind == "text" and f.key != "salutation"):
            slot(person, key, f"{key.title()} {i}", f"addressees.{key}" if first else None)
        if i % 2:  # half of them keep the salutation the rules make
            slot(person, "salutation", f"Salutation {i}", "addressees.salutation" if i == 1 else None)
        for j in range(MAX_ADDRESS_LINES):
            slot(person["address"], j, f"Address {i}.{j}", "addressees.address" if first and j == 0 else None)
        addressees.append(person)
    data.update(sender=sender, signatory=signatory, addressees=addressees)
    for section in CORE_SECTIONS:
        paragraphs: list[str] = []
        data[section] = paragraphs
        if section in manifest.sections:
            for i in range(MAX_ITEMS):
                slot(paragraphs, i, f"{section} {i}", section if i == 0 else None, lines=True)
    slot(data, "complimentary_close", "Respectfully", "complimentary_close")
    # Only in the letter where it is at its longest: it replaces the joint salutation of the
    # hundred addressees, which the other letters print.
    slot(data, "group_salutation", "Dear Members", GROUP_SALUTATION)
    fields: dict[str, Any] = {}
    for spec in manifest.fields:
        if spec.type in ("text", "multiline"):
            slot(fields, spec.name, spec.name, f"fields.{spec.name}", lines=spec.type == "multiline")
        else:
            fields[spec.name] = _field_value(spec)
    data["fields"] = fields
    return data, slots


def _field_value(spec: PackField) -> str | bool | int:
    if spec.type == "choice":
        return max(spec.choices, key=len)
    if spec.type == "bool":
        return True
    if spec.type == "number":
        return STRESS_NUMBER
    if spec.type == "date":
        return STRESS_DATE
    return _text(spec.name, 40, lines=spec.type == "multiline")


def _fixed_text(data: Any) -> int:
    """Characters of text already in ``data`` (the pack's id, choices, dates), the seal aside."""
    if isinstance(data, str):
        return 0 if data == STRESS_SEAL else len(data)
    if isinstance(data, list):
        return sum(_fixed_text(v) for v in data)
    if isinstance(data, dict):
        return sum(_fixed_text(v) for v in data.values())
    return 0


def stress_data_sets(manifest: Manifest) -> list[dict[str, Any]]:
    """The stress letters for ``manifest`` as letter JSON data (see the module's docstring)."""
    longest = max_text_length()
    _, slots = _skeleton(manifest)
    kinds = [slot.kind for slot in slots if slot.kind is not None]
    turns: list[list[str]] = [[]] + [kinds[i:i + LONG_AT_ONCE] for i in range(0, len(kinds), LONG_AT_ONCE)]
    sets = []
    for long_kinds in turns:
        data, slots = _skeleton(manifest)
        if GROUP_SALUTATION not in long_kinds:
            del data[GROUP_SALUTATION]
            slots = [slot for slot in slots if slot.kind != GROUP_SALUTATION]
        long_slots = [slot for slot in slots if slot.kind in long_kinds]
        short_slots = [slot for slot in slots if slot.kind not in long_kinds]
        fixed = _fixed_text({key: value for key, value in data.items() if key != "date"})  # a date, not text
        room = MAX_LETTER_TEXT - fixed - longest * len(long_slots)
        each, extra = divmod(room, len(short_slots))
        for slot in long_slots:
            slot.holder[slot.key] = _text(slot.tag, longest, lines=slot.lines)
        for n, slot in enumerate(short_slots):
            slot.holder[slot.key] = _text(slot.tag, min(longest, each + (n < extra)))
        sets.append(data)
    return sets


def stress_data(manifest: Manifest) -> dict[str, Any]:
    """The first stress letter for ``manifest`` (its text spread evenly) as letter JSON data."""
    return stress_data_sets(manifest)[0]


def small_data(manifest: Manifest) -> dict[str, Any]:
    """The smallest ordinary letter for ``manifest``: one addressee, one paragraph a section."""
    return {
        "template": manifest.id,
        "date": STRESS_DATE,
        "subject": "Courthouse security",
        "sender": {"court": "Supreme Court", "address": ["350 McAllister Street"]},
        "signatory": {"name": "Jane Q. Public", "title": "Chief Justice"},
        "addressees": [{"name": "John Doe", "title": "Attorney General"}],
        **{section: [f"The {section.replace('_', ' ')} & more."] if section in manifest.sections else []
           for section in CORE_SECTIONS},
        "fields": {spec.name: _field_value(spec) for spec in manifest.fields},
    }


def small_letter(manifest: Manifest) -> Letter:
    """A small letter for ``manifest``, for a pack without a sample; ``LetterInvalid`` if none fits."""
    try:
        return Letter.model_validate(small_data(manifest))
    except ValidationError as exc:
        raise LetterInvalid(problems_from(exc)) from None


def stress_letters(manifest: Manifest) -> tuple[Letter, ...]:
    """The stress letters for ``manifest``; ``LetterInvalid`` if no letter fits the pack."""
    return _stress_letters(manifest.model_dump_json())


@functools.lru_cache(maxsize=8)
def _stress_letters(manifest_json: str) -> tuple[Letter, ...]:
    # Validated as every letter is; not cleaned, since its text is clean by construction. A
    # Letter is frozen, so the same ones may serve every check of the same manifest.
    try:
        return tuple(Letter.model_validate(data)
                     for data in stress_data_sets(Manifest.model_validate_json(manifest_json)))
    except ValidationError as exc:
        raise LetterInvalid(problems_from(exc)) from None


def long_letter(sample: dict[str, Any], addressees: int = 100, concerns: int = 50) -> dict[str, Any]:
    """``sample`` sent to ``addressees`` attorneys general at once (its first addressee, numbered) with
    ``concerns`` concerns (its own, numbered and repeated), under a joint salutation as such a letter has.

    The shape the typing benchmark has timed since issue 15; its figures compare only on this letter."""
    letter = copy.deepcopy(sample)
    first = letter["addressees"][0]
    letter["addressees"] = [dict(first, name=f"{first['name']} {i + 1}", title=f"Attorney General {i + 1}")
                            for i in range(addressees)]
    letter["group_salutation"] = "Dear Colleagues:"
    own = sample["concerns"]
    letter["concerns"] = [f"Concern number {i + 1}: {own[i % len(own)][:300]}" for i in range(concerns)]
    return letter
