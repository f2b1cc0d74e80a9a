"""What the command groups share (app.cli.common): one mapping from a refusal to its sentence and exit
code for ``db``, ``drafts``, ``office`` and the signing commands, and one help for a bare group."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cli import main
from app.cli.common import EXIT_CONFLICT, EXIT_NOT_FOUND, EXIT_REFUSED, said_as_exit
from app.core.workflow import Conflict, NotFound, Refused, StorageUnavailable


@pytest.mark.parametrize(("raised", "code", "said"), [
    (Conflict(4, 2, 3, "ann", dt.datetime(2026, 3, 16, 9, 30)), EXIT_CONFLICT,
     "Letter 4 was changed by ann at 2026-03-16 09:30:00 (now version 3, your edit started from version 2); "
     "nothing was overwritten: reload it, or keep yours as a new version on top of version 3."),
    (Refused("only a judge approves."), EXIT_REFUSED, "Refused: only a judge approves."),
    (NotFound("no letter 12"), EXIT_NOT_FOUND, "No letter 12."),
    (StorageUnavailable("the server at db.court:5432 does not answer"), 9,
     "The server at db.court:5432 does not answer."),
])
def test_each_refusal_is_one_sentence_and_its_exit_code(capsys: pytest.CaptureFixture[str], raised: Exception,
                                                        code: int, said: str) -> None:
    def run() -> int:
        raise raised
    assert said_as_exit(run, unavailable=9) == code
    out, err = capsys.readouterr()
    assert (out, err) == ("", said + "\n")


def test_what_is_not_a_refusal_is_left_to_the_caller() -> None:
    def run() -> int:
        raise ValueError("a defect")
    with pytest.raises(ValueError, match="a defect"):
        said_as_exit(run)


@pytest.mark.parametrize("group", [("db",), ("drafts",), ("office",), ("office", "profile"), ("office", "trust"),
                                   ("users",), ("clauses",), ("audit",)])
def test_a_group_named_without_its_action_shows_its_help_on_standard_error(
        capsys: pytest.CaptureFixture[str], group: tuple[str, ...]) -> None:
    assert main(list(group)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"usage: chambers {' '.join(group)} ")
