"""The stress letter: a valid letter at every size limit of the data contract, for one pack.

``templates check`` renders it (and the pack's sample) with the budgets of a real render, so a
pack that loops over every concern for every addressee, or copies the subject into itself, is
called unsound when it is checked rather than found out by the clerk whose letter is longest.
Every list holds as many entries as ``app.core.letter`` allows and every text is as long as it
allows, in words with the characters a letter must escape (``&``, ``<``, quotes), and the first
paragraph of each section breaks its lines, so escaping and line breaks are tried at size too
(one such paragraph a section is enough to try them, and keeps the check quick).
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from typing import Any, get_args

from pydantic import ValidationError

from app.core.errors import LetterInvalid
from app.core.letter import MAX_ADDRESS_LINES, MAX_ITEMS, CleanStr, Letter, problems_from
from app.core.packs import CORE_SECTIONS, Manifest, PackField

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


def _field_value(spec: PackField, length: int) -> str | bool | int:
    if spec.type == "choice":
        return max(spec.choices, key=len)
    if spec.type == "bool":
        return True
    if spec.type == "number":
        return STRESS_NUMBER
    if spec.type == "date":
        return STRESS_DATE
    return _text(spec.name, length, lines=spec.type == "multiline")


def stress_data(manifest: Manifest) -> dict[str, Any]:
    """The stress letter for ``manifest`` as letter JSON data."""
    n = max_text_length()

    def text(tag: str) -> str:
        return _text(tag, n)

    addressees = [
        {"honorific": text(f"Honorific {i}"), "name": text(f"Name {i}"), "title": text(f"Title {i}"),
         "organization": text(f"Organization {i}"),
         "address": [text(f"Address {i}.{j}") for j in range(MAX_ADDRESS_LINES)],
         "salutation": text(f"Salutation {i}") if i % 2 else None}
        for i in range(MAX_ITEMS)
    ]
    sections = {
        section: [_text(f"{section} {i}", n, lines=i == 0) for i in range(MAX_ITEMS)]
        if section in manifest.sections else []
        for section in CORE_SECTIONS
    }
    return {
        "template": manifest.id,
        "date": STRESS_DATE,
        "reference": text("Reference"),
        "subject": text("Subject"),
        "sender": {"court": text("Court"), "chambers": text("Chambers"),
                   "address": [text(f"Court address {j}") for j in range(MAX_ADDRESS_LINES)],
                   "phone": text("Phone"), "email": text("Email"), "seal": STRESS_SEAL},
        "signatory": {"name": text("Signatory"), "title": text("Signatory title")},
        "addressees": [{k: v for k, v in a.items() if v is not None} for a in addressees],
        **sections,
        "complimentary_close": text("Respectfully"),
        "fields": {spec.name: _field_value(spec, n) for spec in manifest.fields},
    }


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
        "fields": {spec.name: _field_value(spec, 40) for spec in manifest.fields},
    }


def small_letter(manifest: Manifest) -> Letter:
    """A small letter for ``manifest``, for a pack without a sample; ``LetterInvalid`` if none fits."""
    try:
        return Letter.model_validate(small_data(manifest))
    except ValidationError as exc:
        raise LetterInvalid(problems_from(exc)) from None


def stress_letter(manifest: Manifest) -> Letter:
    """The stress letter for ``manifest``; ``LetterInvalid`` if no letter fits the pack."""
    return _stress_letter(manifest.model_dump_json())


@functools.lru_cache(maxsize=8)
def _stress_letter(manifest_json: str) -> Letter:
    # Validated as every letter is; not cleaned, since its text is clean by construction (and
    # cleaning forty million characters would double the time it takes to make). A Letter is
    # frozen, so one may serve every check of the same manifest.
    try:
        return Letter.model_validate(stress_data(Manifest.model_validate_json(manifest_json)))
    except ValidationError as exc:
        raise LetterInvalid(problems_from(exc)) from None
