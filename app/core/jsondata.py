"""Reading letter JSON strictly: what the file says, or a refusal that names where.

The standard ``json`` module is lenient where a court cannot be: a key given twice silently
takes the second value, ``NaN`` and ``Infinity`` are accepted (and print as "nan"), a deeply
nested array exhausts the parser's recursion and a 5,000-digit number its integer limit, both
as tracebacks. Here each of those is a ``LetterInvalid`` whose problem names the JSON path
(``addressees[1].name: duplicate key``), and nothing is cut or guessed.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from app.core.errors import LetterInvalid, Problem

#: Largest letter file read. The biggest valid letter (every section and field at its limit)
#: is larger, but no real letter comes near: 16 MB is about 8,000 pages of text.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Deepest nesting accepted; a letter is four levels deep (addressees[0].address[0]).
MAX_DEPTH = 32
#: Integers a letter may hold exactly: the range every JSON reader (JavaScript too) agrees on.
MAX_SAFE_INTEGER = 2**53 - 1
#: A float written with more characters than this is not a value anyone typed.
MAX_NUMBER_CHARS = 40
#: Values (and keys) in one file: a letter at every limit holds a few thousand.
MAX_VALUES = 100_000
#: Longest key: the names in a letter are short words ("requested_policies").
MAX_KEY_CHARS = 200
#: Problems listed before the rest are summed up.
MAX_PROBLEMS = 20

# Strings (with their escapes) and the structural characters, in one linear scan.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]', re.DOTALL)


class _Refused:
    """A value the parser met that the letter may not hold; reported with its path later."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _WithDuplicates(dict[str, Any]):
    """An object in which some key appeared more than once."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    if not duplicates:
        return result
    marked = _WithDuplicates(result)
    marked.duplicates = duplicates
    return marked


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number a letter can hold (JSON has no NaN or Infinity)")


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > 16:
        return _Refused(f"a number of {digits:,} digits is too large (at most {MAX_SAFE_INTEGER:,})")
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        return _Refused(f"the number {text} is too large (at most {MAX_SAFE_INTEGER:,})")
    return value


def _float(text: str) -> float | _Refused:
    if len(text) > MAX_NUMBER_CHARS:
        return _Refused(f"a number written with {len(text):,} characters is too long "
                        f"(at most {MAX_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"the number {text} is too large to hold")
    return value


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return path or "the top level"


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before the recursive parser sees it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # brackets inside strings count too: safe
        return
    frames: list[list[Any]] = []  # [kind, key or index, expecting a key]
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            if len(frames) >= MAX_DEPTH:
                path = ""
                for kind, key, _ in frames:
                    path = _join(path, key if kind == "[" else (key or "?"))
                raise LetterInvalid([Problem(_where(path), f"nested more than {MAX_DEPTH} levels deep "
                                             "(a letter is a few levels deep)")])
            frames.append([token, 0 if token == "[" else None, token == "{"])
        elif token in "]}":
            if frames:
                frames.pop()
        elif token == ",":
            if frames:
                if frames[-1][0] == "[":
                    frames[-1][1] += 1
                else:
                    frames[-1][2] = True
        elif token == ":":
            if frames:
                frames[-1][2] = False
        elif frames and frames[-1][0] == "{" and frames[-1][2]:
            try:
                frames[-1][1] = json.loads(token)
            except ValueError:
                frames[-1][1] = token[1:-1]


def _check_size(text: str, prefix: str) -> None:
    """Refuse a file of more values than any letter holds before building them all."""
    if text.count(",") <= MAX_VALUES:  # commas inside strings count too: safe
        return
    commas = sum(1 for match in _TOKENS.finditer(text) if match.group() == ",")
    if commas > MAX_VALUES:
        raise LetterInvalid([Problem("", f"{prefix}holds more than {MAX_VALUES:,} values; a letter holds a few "
                                         "thousand at most")])


def _problems(data: Any) -> list[Problem]:
    """Every refused value and duplicate key in ``data``, with its path (iteratively)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack and len(problems) <= MAX_PROBLEMS:
        value, path = stack.pop()
        if isinstance(value, _Refused):
            problems.append(Problem(_where(path), value.reason))
        elif isinstance(value, dict):
            for key in value:
                if len(key) > MAX_KEY_CHARS:
                    problems.append(Problem(_join(path, key[:40] + "…"), f"a key of {len(key):,} characters "
                                            f"is not part of a letter (at most {MAX_KEY_CHARS})"))
            if isinstance(value, _WithDuplicates):
                for key in value.duplicates:
                    problems.append(Problem(_join(path, key), "duplicate key: the name is given twice in "
                                            "one object, and which value is meant is unclear"))
            stack.extend((v, _join(path, k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, _join(path, i)) for i, v in reversed(list(enumerate(value))))
    return problems


def loads(text: str, source: str = "", max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse JSON text strictly; ``LetterInvalid`` naming the path of what is refused.

    ``source`` (a file name) prefixes the messages that are about the whole text.
    """
    prefix = f"{source}: " if source else ""
    if len(text) > max_bytes:
        raise LetterInvalid([Problem("", f"{prefix}larger than {max_bytes:,} bytes; a letter is far smaller")])
    _check_depth(text)
    _check_size(text, prefix)
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                          parse_int=_integer, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise LetterInvalid([Problem("", f"{prefix}not valid JSON at line {exc.lineno}, "
                                         f"column {exc.colno}: {exc.msg}")]) from None
    except RecursionError:  # not reached after _check_depth; a last line of defence
        raise LetterInvalid([Problem("", f"{prefix}nested too deeply")]) from None
    problems = _problems(data)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], Problem("", "… and more")]
        raise LetterInvalid(problems)
    return data


class _NotRegular(OSError):
    pass


def _open_regular(name: str, flags: int) -> int:
    # O_NONBLOCK so that naming a FIFO cannot hang the reader before it is found out.
    fd = os.open(name, flags | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _NotRegular(name)
    return fd


def load_file(path: Path, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Read and parse a JSON file strictly; its size is checked before it is read."""
    def invalid(message: str) -> LetterInvalid:
        return LetterInvalid([Problem("", f"{path}: {message}")])
    try:
        with open(path, "rb", opener=_open_regular) as stream:
            raw = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise invalid("no such file") from None
    except (IsADirectoryError, _NotRegular):
        raise invalid("is not a regular file (a folder, device or pipe); name a JSON file") from None
    except OSError as exc:
        raise invalid(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise invalid(f"larger than {max_bytes:,} bytes; a letter is far smaller")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid(f"cannot be read (not UTF-8 text at byte {exc.start}; save the file as UTF-8)") from None
    return loads(text, str(path), max_bytes)
