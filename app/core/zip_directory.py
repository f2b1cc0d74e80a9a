"""The names in a plain zip's central directory, read without building zipfile's objects.

A letter (.docx) is a zip. Every letter a mail merge writes has its zip directory checked, and
every letter it replaces is recognised as one of ours by its directory, each once when staged and
once just before the rename. ``zipfile.ZipFile`` builds a ``ZipInfo`` per part, decodes every
name and parses every date to answer that: 33 us for a letter's 13 parts from bytes, 48 us from
its file, most of what staging a letter costs in Python. This walks the directory as zipfile does
when it opens an archive (``_RealGetContents``) and returns its names in 5-8 us.

It only ever decides the plain case: the end record last (no comment), no zip64, nothing before
the archive, every entry whole and named in ASCII without a NUL byte. Anything else returns None, and the caller
asks zipfile, whose verdict and words stand. Names it returns are names zipfile reads
(``tests/rendering/test_verify.py`` damages letters byte by byte and at random to check it).
"""

from __future__ import annotations

import os
import struct

_END = struct.Struct("<4s4H2LH")          # the end of central directory record
ENTRY_SIZE = 46                           # a central directory entry's fixed part ("<4s4B4HL2L5H2L")
# Of it only what the walk needs: the signature, the version to extract, the three lengths.
_ENTRY = struct.Struct("<4s2xB21x3H")
_EXTRA = struct.Struct("<HH")
END_SIZE = _END.size                      # 22 bytes
_ZIP64_LOCATOR = b"PK\x06\x07"
_NEWEST_VERSION = 63                      # zipfile's MAX_EXTRACT_VERSION: a newer entry it refuses
_SEP_RENAMED = os.sep.encode() if os.sep != "/" else b""
LARGEST_DIRECTORY = 1 << 20               # a letter's is about 1 KB; a bigger one is zipfile's to read


def plain_names(data: bytes, at: int = 0) -> frozenset[bytes] | None:
    """The part names of the plain zip that ends ``data``; None when not decided here.

    ``data`` is the end of the file from byte ``at`` on: the whole file, or at least its
    central directory and the 20 bytes before its end record.
    """
    end_at = len(data) - END_SIZE
    if end_at < 0:
        return None
    signature, _, _, _, _, size, offset, comment = _END.unpack_from(data, end_at)
    # zipfile reads the directory from just before the end record, whatever its offset says
    # (an archive with something before it); here the offset must agree, so nothing precedes it.
    if (signature != b"PK\x05\x06" or comment or offset + size != at + end_at or offset < at
            or (end_at >= 20 and data[end_at - 20:end_at - 16] == _ZIP64_LOCATOR)):
        return None
    names = []
    entry_at = offset - at
    while entry_at < end_at:
        if entry_at + ENTRY_SIZE > end_at:
            return None
        signature, version, name_length, extra_length, comment_length = _ENTRY.unpack_from(data, entry_at)
        if signature != b"PK\x01\x02" or version > _NEWEST_VERSION:
            return None
        name_at = entry_at + ENTRY_SIZE
        extra_at = name_at + name_length
        entry_at = extra_at + extra_length + comment_length
        name = data[name_at:extra_at]
        if entry_at > end_at or not name.isascii() or b"\x00" in name or (_SEP_RENAMED and _SEP_RENAMED in name):
            return None  # zipfile cuts a name at a NUL byte and turns Windows' separator into "/"
        if extra_length and not _plain_extra(data, extra_at, extra_at + extra_length):
            return None
        names.append(name)
    return frozenset(names)


def _plain_extra(data: bytes, at: int, end: int) -> bool:
    """Whether an entry's extra field is whole blocks none of which is zip64's (zipfile reads those)."""
    while end - at >= 4:
        kind, length = _EXTRA.unpack_from(data, at)
        at += 4 + length
        if kind == 0x0001 or at > end:
            return False
    return True


def plain_names_of_file(path: os.PathLike[str] | str) -> frozenset[bytes] | None:
    """``plain_names`` of the file at ``path``, reading only its end; None when not decided here
    (or the file cannot be read: the caller's zipfile says why)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size < END_SIZE:
            return None
        end = _read_at(fd, END_SIZE, size - END_SIZE)
        if len(end) != END_SIZE or end[:4] != b"PK\x05\x06":
            return None
        directory = _END.unpack_from(end)[5]
        if directory > LARGEST_DIRECTORY:
            return None
        start = max(0, size - END_SIZE - max(directory, 20))
        tail = _read_at(fd, size - start, start)
        return plain_names(tail, start) if len(tail) == size - start else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_at(fd: int, count: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, count, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows has no pread
    return os.read(fd, count)
