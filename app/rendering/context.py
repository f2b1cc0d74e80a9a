"""The context a template sees: plain dicts, lists and strings, built from a valid letter.

This is the contract between the letter and every template pack. A template may use:

``date_line``            "March 16, 2017"
``reference``            "" when absent
``subject``
``court``                {name, chambers ("" when absent), address: [lines], address_block, phone, email}
``signatory``            {name, title}
``signature_image``      the judge's signature (a picture) once approved, else ""
``addressees``           [{honorific, name, title, organization, address: [lines] (the fields
                           ``app.core.vocabulary`` marks printed as typed), and the forms of
                           address: name_line, block (the inside address, lines joined by line
                           breaks), salutation_name, salutation_line, surname (the one used)}]
``addressee_names``      "The Honorable Jeff Sessions and The Honorable John F. Kelly"
``salutation``           "Dear Attorney General Sessions and Secretary Kelly:" (the whole line; the
                         group salutation when the letter has one)
``uses_distribution``    true above ``DISTRIBUTION_THRESHOLD`` (6) addressees: print ``group_address``
                         instead of the stacked ``addressees`` blocks, and ``distribution`` on the
                         last page under the heading "Distribution"
``group_address``        "Members of the Judicial Council" (from the group salutation), else ""
``distribution``         ["The Honorable Jane Doe, Judge of the Superior Court", ...] when
                         ``uses_distribution``, else []
``opening`` ``concerns`` ``requested_policies`` ``closing`` ``cc`` ``enclosures``: [str], one
                         key per section of ``app.core.vocabulary.SECTIONS``
``complimentary_close``  "Sincerely,"
``fields``               {name: value} for the fields the pack's manifest declares; date
                         fields come spelled out ("April 8, 2025")
``draft``                true when the document is not an approved letter

Every string is cleaned again here (idempotent), so a value that bypassed validation still
cannot carry characters Word cannot read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import operator
import re
import sys
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from app.core import address as forms
from app.core import spanish
from app.core.dates import date_line
from app.core.errors import LetterInvalid, Problem
from app.core.letter import Addressee, Letter
from app.core.packs import Manifest
from app.core.text import MAX_TEXT_LENGTH, Removal, clean_text
from app.core.vocabulary import ADDRESSEE_FIELDS, SECTIONS

CONTEXT_KEYS = frozenset({
    "date_line", "reference", "subject", "court", "signatory", "signature_image", "addressees",
    "addressee_names", "salutation", "complimentary_close", "fields", "draft",
    "uses_distribution", "group_address", "distribution",
    *(s.key for s in SECTIONS),
})
#: The keys built from everything but the addressees (``_letter_part``): in a mail merge they hold
#: the very same objects from one letter to the next, so what a template makes of them alone is
#: made once (``app.rendering.engine``). ``signature_image`` is not among them: it is set per render.
LETTER_PART_KEYS = frozenset({
    "date_line", "reference", "subject", "court", "signatory", "complimentary_close", "fields", "draft",
    *(s.key for s in SECTIONS),
})
#: What the context says of each addressee beyond the fields printed as typed: the forms of address.
ADDRESSEE_FORMS = frozenset({"name_line", "block", "salutation_name", "salutation_line", "surname"})
_TYPED = tuple(f.key for f in ADDRESSEE_FIELDS if f.printed_as_typed)


# Text the context composes from several fields (each within its limit), so it may be longer
# than any one field: an inside address of eight long lines, the names of a hundred addressees.
_COMPOSED = re.compile(r"(^|\.)(block|address_block|name_line|salutation_name|salutation_line|addressee_names|"
                       r"salutation|group_address|distribution\[\d+\])$")


def _plain(value: Any, path: str, removals: list[Removal]) -> Any:
    """Copy ``value`` into plain str/int/float/bool/list/dict, cleaning every string.

    Nothing is cut: a field over the length limit (one that did not come through validation)
    is refused with its path, and composed text is as long as its parts make it.
    """
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        text, found = clean_text(str(value), path, limit=sys.maxsize)
        removals.extend(found)
        if len(text) > MAX_TEXT_LENGTH and not _COMPOSED.search(path):
            raise LetterInvalid([Problem(path, f"is too long (at most {MAX_TEXT_LENGTH:,} characters)")])
        return text
    if isinstance(value, float) and not math.isfinite(value):
        raise LetterInvalid([Problem(path, f"{value} is not a number a letter can hold")])
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v, f"{path}[{i}]", removals) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k), removals)
                for k, v in value.items()}
    raise TypeError(f"{path}: {type(value).__name__} cannot be given to a template")


def _fields(letter: Letter, manifest: Manifest | None) -> dict[str, Any]:
    """The pack's fields, date fields spelled as a letter writes dates ("April 8, 2025")."""
    if manifest is None:
        return dict(letter.fields)
    values = manifest.field_values(letter)
    for spec in manifest.fields:
        value = values.get(spec.name)
        if spec.type == "date" and isinstance(value, str) and value:
            with contextlib.suppress(ValueError):  # Manifest.check_letter reports bad dates
                values[spec.name] = date_line(dt.date.fromisoformat(value))
    return values


def _in_language(raw: dict[str, Any], letter: Letter, language: str) -> None:
    """A pack in another language (issue 18): the salutations in it (the date as that language
    writes it is the letter's part: ``_letter_part``)."""
    if language == "es":
        raw["salutation"] = spanish.joint_salutation(letter.addressees, letter.group_salutation)
        for entry, addressee in zip(raw["addressees"], letter.addressees, strict=True):
            entry["salutation_line"] = spanish.salutation_line(addressee)


# An addressee's entry, by the addressee's fields: the window renders the whole letter at each key,
# and in a letter to a hundred officials the forms of address were most of the render's time.
_ENTRIES: dict[tuple[Any, ...], tuple[dict[str, Any], bool]] = {}
_ENTRIES_KEPT = 2048


def _addressee(a: Addressee) -> tuple[dict[str, Any], bool]:
    """The template's entry for addressee ``a`` (a new dict each call: the caller may change it),
    and whether cleaning it would change nothing and note nothing (see ``_cleans_to_itself``)."""
    key = tuple(tuple(v) if isinstance(v, list) else v for v in a.__dict__.values())
    kept = _ENTRIES.get(key)
    if kept is None:
        entry = {
            **{field: tuple(v) if isinstance(v := getattr(a, field), list) else v for field in _TYPED},
            "name_line": forms.name_line(a),
            "block": "\n".join(forms.inside_address(a)),
            "salutation_name": forms.salutation_name(a),
            "salutation_line": forms.salutation_line(a),
            "surname": forms.surname_used(a),
        }
        if len(_ENTRIES) >= _ENTRIES_KEPT:
            _ENTRIES.clear()
        kept = _ENTRIES[key] = (entry, _cleans_to_itself(entry))
    return {field: list(v) if isinstance(v, tuple) else v for field, v in kept[0].items()}, kept[1]


def _cleans_to_itself(entry: dict[str, Any]) -> bool:
    """Whether ``_plain`` gives back the entry as it is (text of the very same types, lists for
    its tuples) and notes nothing: then a letter's context takes it without cleaning it again.

    An addressee that came through validation is clean already; cleaning it a second time was
    a fifth of a merge's context. Whether a value is cleaned, noted or refused does not depend
    on the addressee's place in the letter (only the notes' paths do), so one probe answers for
    every place; anything else (a note, a refusal, a None made "") is cleaned in place, as before.
    """
    notes: list[Removal] = []
    try:
        cleaned = _plain(entry, "addressees[0]", notes)
    except LetterInvalid:
        return False

    def same(made: Any, given: Any) -> bool:
        if isinstance(given, tuple):
            return type(made) is list and len(made) == len(given) and all(map(same, made, given))
        return type(made) is type(given) is str and made == given

    return not notes and cleaned.keys() == entry.keys() and all(same(cleaned[k], v) for k, v in entry.items())


def build_context(
    letter: Letter,
    manifest: Manifest | None = None,
    *,
    draft: bool = True,
    signature_image: Markup | None = None,
) -> tuple[dict[str, Any], list[Removal]]:
    """The template context for ``letter`` and what cleaning removed on the way.

    What does not depend on the addressees may be shared with the previous letter's context
    (``_letter_part``): a context is read, never changed (the sandbox refuses any change).
    """
    whole = _letter_part(letter, manifest, draft)
    removals = list(whole.section_removals)
    entries = [_addressee(a) for a in letter.addressees]
    raw: dict[str, Any] = {
        "addressees": [entry for entry, _ in entries],
        "addressee_names": forms.join_names([entry["name_line"] for entry, _ in entries]),
        "salutation": letter.salutation,
        "uses_distribution": forms.uses_distribution(len(letter.addressees)),
        "group_address": forms.group_address(letter.group_salutation),
        "distribution": (forms.distribution_list(letter.addressees)
                         if forms.uses_distribution(len(letter.addressees)) else []),
    }
    in_english = manifest is None or manifest.language == "en"
    if not in_english:
        assert manifest is not None
        _in_language(raw, letter, manifest.language)  # it changes the entries: each is cleaned again
    # Cleaned in the order of the context's keys, so the notes come in the order they always did.
    removals += whole.removals_before
    del raw["addressees"]  # the very entries of ``entries``, each cleaned below unless it is clean already
    addressees = [entry if clean and in_english else _plain(entry, f"addressees[{i}]", removals)
                  for i, (entry, clean) in enumerate(entries)]
    context = {**whole.before, "addressees": addressees, **_plain(raw, "", removals), **whole.after}
    removals += whole.removals_after
    context["signature_image"] = signature_image or ""
    return context, removals


@dataclass(frozen=True)
class _LetterPart:
    """The part of a context that does not depend on the addressees, cleaned."""

    key: tuple[Any, ...]
    manifest: Manifest | None
    draft: bool
    before: dict[str, Any]            # the keys before "addressees"
    after: dict[str, Any]             # the keys after the addressees' ones
    section_removals: list[Removal]
    removals_before: list[Removal]
    removals_after: list[Removal]


# Every field of the letter but its addressees (and what a salutation reads from the letter).
_LETTER_FIELDS = tuple(name for name in Letter.model_fields if name not in ("addressees", "group_salutation"))
_letter_fields = operator.attrgetter(*_LETTER_FIELDS)
_last_letter_part: _LetterPart | None = None


def _letter_part(letter: Letter, manifest: Manifest | None, draft: bool) -> _LetterPart:
    """The context of everything but the addressees, remembered for the next letter that holds the same.

    A mail merge renders one letter to a thousand addressees: its paragraphs, court and signatory
    were copied and cleaned a thousand times, a quarter of a letter's render. The last one is
    kept and used again when the next letter's fields are equal to it (compared by value, so a
    letter changed in any way is built afresh), for the same manifest object and draft flag.
    """
    global _last_letter_part
    key = _letter_fields(letter)
    last = _last_letter_part
    if last is not None and last.manifest is manifest and last.draft == draft and last.key == key:
        return last
    sections = set(manifest.sections) if manifest else None
    section_removals: list[Removal] = []

    def section(name: str, items: list[str]) -> list[str]:
        """The section's paragraphs; an empty one would print as a stray blank paragraph."""
        if sections is not None and name not in sections:
            return []
        kept = []
        for i, item in enumerate(items):
            if item.strip():
                kept.append(item)
            else:
                section_removals.append(Removal(f"{name}[{i}]", "an empty paragraph", 1))
        return kept

    before: dict[str, Any] = {
        "date_line": letter.date_line,
        "reference": letter.reference,
        "subject": letter.subject,
        "court": {
            "name": letter.sender.court,
            "chambers": letter.sender.chambers or "",
            "address": list(letter.sender.address),
            "address_block": "\n".join(letter.sender.address),
            "phone": letter.sender.phone,
            "email": letter.sender.email,
        },
        "signatory": {"name": letter.signatory.name, "title": letter.signatory.title},
    }
    after: dict[str, Any] = {
        **{s.key: section(s.key, list(getattr(letter, s.key))) for s in SECTIONS},
        "complimentary_close": letter.complimentary_close,
        "fields": _fields(letter, manifest),
        "draft": draft,
    }
    if manifest is not None and manifest.language != "en":
        # As that language writes it (CLDR, through Babel: "16 de marzo de 2017"); deferred: only
        # packs in another language pay Babel's import.
        from babel.dates import format_date

        before["date_line"] = format_date(letter.date, format="long", locale=manifest.language)
    removals_before: list[Removal] = []
    removals_after: list[Removal] = []
    part = _LetterPart(key, manifest, draft, _plain(before, "", removals_before), _plain(after, "", removals_after),
                       section_removals, removals_before, removals_after)
    _last_letter_part = part
    return part
