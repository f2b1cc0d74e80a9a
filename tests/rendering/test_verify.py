"""A written letter's zip directory is checked in the bytes read back, with zipfile's verdict.

``check_docx_file`` decides a plain letter's directory itself (zipfile builds a ZipInfo per part
and decodes every name: most of the check's cost) and leaves everything else to zipfile. It may
only ever accept what zipfile accepts with the Word main part in its names: here it is given
letters damaged at random, byte by byte and cut short, and must never say yes where zipfile
would say no.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.letter import parse_letter
from app.core.zip_directory import plain_names, plain_names_of_file
from app.rendering.engine import CompiledPack
from app.rendering.verify import check_docx_file
from tests.conftest import TEMPLATES, sample_data

NOWHERE = Path("/nonexistent/folder/letter.docx")  # a check given the bytes never opens the file


@functools.cache
def letter_bytes() -> bytes:
    return CompiledPack(TEMPLATES / "officials-concern").render(parse_letter(sample_data()).letter).data


def fast_accepts(data: bytes) -> bool:
    names = plain_names(data)
    return names is not None and b"word/document.xml" in names


def zipfile_names(data: bytes) -> frozenset[bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return frozenset(name.encode("utf-8") for name in archive.namelist())
    except (zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError, ValueError):
        return None


def zipfile_accepts(data: bytes) -> bool:
    names = zipfile_names(data)
    return names is not None and b"word/document.xml" in names


def same_names_as_zipfile(data: bytes) -> bool:
    """Where the directory is decided here, its names are zipfile's names."""
    names = plain_names(data)
    return names is None or names == zipfile_names(data)


def directory_start(data: bytes) -> int:
    return struct.unpack_from("<L", data, len(data) - 6)[0]


def test_a_rendered_letter_is_decided_without_zipfile() -> None:
    """The fast path is the one a merge takes (else it would buy nothing)."""
    data = letter_bytes()
    assert fast_accepts(data)
    check_docx_file(NOWHERE, data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_letter_is_never_accepted_where_zipfile_refuses_it(draw: st.DataObject) -> None:
    data = bytearray(letter_bytes())
    start = directory_start(bytes(data))
    # Most damage goes where the verdict is decided: the central directory and its end record.
    for _ in range(draw.draw(st.integers(1, 4))):
        at = draw.draw(st.one_of(st.integers(start, len(data) - 1), st.integers(0, len(data) - 1)))
        data[at] = draw.draw(st.integers(0, 255))
    if draw.draw(st.booleans()):
        data = data[:draw.draw(st.integers(0, len(data)))]
    damaged = bytes(data)
    assert same_names_as_zipfile(damaged)
    if fast_accepts(damaged):
        assert zipfile_accepts(damaged)
    if zipfile_accepts(damaged):
        check_docx_file(NOWHERE, damaged)
    else:
        with pytest.raises(OSError, match=re.escape(str(NOWHERE))):
            check_docx_file(NOWHERE, damaged)


def test_every_byte_of_the_directory_damaged_alone_is_decided_as_zipfile_decides() -> None:
    """Each byte of the central directory and its end record, set to a few values in turn."""
    data = letter_bytes()
    wrong = []
    for at in range(directory_start(data), len(data)):
        for value in {0, 0xFF, (data[at] + 1) % 256, (data[at] - 1) % 256}:
            damaged = data[:at] + bytes([value]) + data[at + 1:]
            if not same_names_as_zipfile(damaged) or (fast_accepts(damaged) and not zipfile_accepts(damaged)):
                wrong.append((at, value))
    assert not wrong, f"accepted where zipfile refuses (offset, byte): {wrong[:10]}"


def with_renamed_main_part(data: bytes, name: bytes) -> bytes:
    assert len(name) == len(b"word/document.xml")
    return data.replace(b"word/document.xml", name)


@pytest.mark.parametrize(("damage", "words"), [
    (lambda d: d[:-30], r"not a valid \.docx"),
    (lambda d: with_renamed_main_part(d, b"word/documenx.xml"), "has no word/document.xml"),
    (lambda d: b"", r"not a valid \.docx"),
    (lambda d: b"PK\x05\x06" + bytes(18), "has no word/document.xml"),  # an empty zip
])
def test_a_bad_letter_is_refused_in_words_naming_the_file(damage: object, words: str) -> None:
    with pytest.raises(OSError, match=words) as caught:
        check_docx_file(NOWHERE, damage(letter_bytes()))  # type: ignore[operator]
    assert str(NOWHERE) in str(caught.value)


def test_a_name_that_is_not_utf8_is_a_refusal_not_a_crash() -> None:
    """zipfile raises UnicodeDecodeError for a part named in bad UTF-8; the check says the file is bad."""
    data = letter_bytes()
    start = directory_start(data)
    # Flag the first part's name as UTF-8 (bit 11) and make its first byte one UTF-8 never starts with.
    flags_at = start + 8
    flags = struct.unpack_from("<H", data, flags_at)[0] | 0x800
    name_at = start + 46
    damaged = bytearray(data)
    struct.pack_into("<H", damaged, flags_at, flags)
    damaged[name_at] = 0xFF
    with pytest.raises(OSError, match=r"not a valid \.docx"):
        check_docx_file(NOWHERE, bytes(damaged))


def test_a_zip_with_a_comment_or_odd_names_is_decided_by_zipfile(tmp_path: Path) -> None:
    """What the fast path does not read it leaves to zipfile, whose verdict stands."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/média.xml", "<x/>")
        archive.comment = b"made elsewhere"
    data = buffer.getvalue()
    assert not fast_accepts(data)
    check_docx_file(NOWHERE, data)
    on_disk = tmp_path / "letter.docx"
    on_disk.write_bytes(data)
    check_docx_file(on_disk)  # without the bytes, the file itself is read


def test_a_file_is_read_from_its_end_with_the_same_verdict_as_its_bytes(tmp_path: Path) -> None:
    """How a letter on disk is recognised (the output policy's ``is_ours``): only its end is read."""
    data = letter_bytes()
    start = directory_start(data)
    cases = {"whole": data, "cut": data[:-1], "tiny": data[-10:], "empty": b"", "prefixed": b"junk" + data,
             "directory damaged": data[:start + 3] + b"\x00" + data[start + 4:]}
    for label, content in cases.items():
        path = tmp_path / f"{label}.docx"
        path.write_bytes(content)
        assert plain_names_of_file(path) == plain_names(content), label
    assert plain_names_of_file(tmp_path / "whole.docx") == zipfile_names(data)
    assert plain_names_of_file(tmp_path / "missing.docx") is None
