"""Errors the domain raises, each worded for a clerk: what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a letter: a path such as ``addressees[1].name`` and a message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ChambersError(Exception):
    """Base of the errors Chambers reports to its users."""


class LetterInvalid(ChambersError):
    """The letter's data breaks the data contract; ``problems`` says where and how."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateProblem(ChambersError):
    """A template pack is broken or unsafe; the message names the pack and the place."""


class ConversionError(ChambersError):
    """A document could not be turned into PDF (LibreOffice missing, failing or too slow)."""
