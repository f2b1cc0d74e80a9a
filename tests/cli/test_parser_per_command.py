"""A command that does not open the database is parsed with only its own parsers, which say
exactly what the whole command line's parser says for it; anything else gets the whole parser."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Iterator

import pytest

from app.cli import COMMAND_REGISTRATIONS, build_parser, command_word, main


def _paths(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path under ``parser``, each parser on the way included."""
    if path:
        yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _paths(child, (*path, name))


def _said(parser: argparse.ArgumentParser, words: list[str]) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        parser.parse_args(words)
    return out.getvalue(), err.getvalue()


def test_each_listed_command_says_what_the_whole_parser_says() -> None:
    whole = build_parser()
    listed = [path for path in _paths(whole) if path[0] in COMMAND_REGISTRATIONS]
    assert {path[0] for path in listed} == set(COMMAND_REGISTRATIONS), "a listed command the parser does not have"
    for path in listed:
        own = build_parser(path[0])
        assert _said(own, [*path, "--help"]) == _said(whole, [*path, "--help"]), path
        assert _said(own, [*path, "--no-such-option"]) == _said(whole, [*path, "--no-such-option"]), path


def test_a_merge_builds_no_other_commands_parsers() -> None:
    commands = next(a for a in build_parser("batch")._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(commands.choices) == ["batch", "demo", "render", "sample", "templates"]


@pytest.mark.parametrize(("words", "command"), [
    (["batch", "--jobs", "2"], "batch"), (["-v", "-q", "render"], "render"),
    (["--verbose", "drafts", "list"], "drafts"),
    (["-h", "batch"], None), (["--version"], None), (["-V", "batch"], None), ([], None), (["--", "batch"], None),
])
def test_the_command_word_is_the_first_word_that_is_no_option(words: list[str], command: str | None) -> None:
    assert command_word(words) == command


def test_a_mistyped_command_or_a_bare_one_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bacth"])
    assert "'drafts'" in capsys.readouterr().err
    assert main(["templates"]) == 2
    said = capsys.readouterr().err
    assert "drafts" in said
    assert "batch" in said
