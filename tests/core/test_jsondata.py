"""The strict letter-JSON reader: what it refuses, and the path it names."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.core import jsondata
from app.core.errors import LetterInvalid


def refusal(text: str) -> list[str]:
    with pytest.raises(LetterInvalid) as caught:
        jsondata.loads(text)
    return [str(p) for p in caught.value.problems]


def test_plain_json_reads_as_the_standard_parser_reads_it() -> None:
    text = json.dumps({"a": [1, 2.5, True, None, "x", {"b": -3}], "c": 9_007_199_254_740_991})
    assert jsondata.loads(text) == json.loads(text)


def test_duplicate_keys_are_named_by_path_at_any_depth() -> None:
    assert refusal('{"a": [{"x": 1}, {"b": {"k": 1, "k": 2}}]}') == [
        "a[1].b.k: duplicate key: the name is given twice in one object, and which value is meant is unclear"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant: str) -> None:
    assert refusal(f'{{"fields": {{"n": [{constant}]}}}}')[0].startswith(f"fields.n[0]: {constant} is not a number")


@pytest.mark.parametrize(("number", "refused"), [
    ("9007199254740991", False), ("-9007199254740991", False), ("9007199254740992", True),
    ("1" * 5_000, True), ("1e308", False), ("1e309", True), ("0." + "1" * 60, True),
])
def test_numbers_beyond_what_every_reader_agrees_on_are_refused(number: str, refused: bool) -> None:
    text = f'{{"n": {number}}}'
    if refused:
        assert refusal(text)[0].startswith("n: ")
    else:
        assert jsondata.loads(text) == json.loads(text)


def test_deep_nesting_is_refused_with_its_path_quickly() -> None:
    text = '{"a": {"b": [0, ' + "[" * 1_000_000 + "]" * 1_000_000 + "]}}"
    started = time.perf_counter()
    problems = refusal(text)
    assert time.perf_counter() - started < 2
    assert problems[0].startswith("a.b[1]" + "[0]" * (jsondata.MAX_DEPTH - 3) + ": nested more than")


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = json.dumps({"concerns": ["[" * 10_000 + '"{' * 100]})
    assert jsondata.loads(text) == json.loads(text)


def test_the_file_is_size_checked_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (jsondata.MAX_JSON_BYTES + 10))
    with pytest.raises(LetterInvalid, match="larger than"):
        jsondata.load_file(path)
