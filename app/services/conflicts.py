"""A save that met someone else's newer version: what they changed, part by part, beside mine, and my
letter with the parts I take from theirs."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.diff import field_changes
from app.services.checking import LetterData


@dataclass(frozen=True)
class PartChange:
    """One part of the letter (a field or a section) the other person changed, beside mine."""

    part: str                        # the letter's key: "subject", "concerns", "addressees"
    paths: tuple[str, ...]           # the fields they changed in it, e.g. ("concerns[1]",)
    theirs: str
    mine: str
    same: bool                       # mine already says what theirs says


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(_shown(v) for v in value.values() if v not in (None, "", []))
    return "" if value is None else str(value)


def conflict_parts(base: LetterData, theirs: LetterData, mine: LetterData) -> list[PartChange]:
    """What the other person changed since the version I started from, part by part, beside mine."""
    parts: dict[str, list[str]] = {}
    for change in field_changes(base, theirs):
        key = change.path.split(".")[0].split("[")[0]
        parts.setdefault(key, []).append(change.path)
    return [PartChange(key, tuple(paths), _shown(theirs.get(key)), _shown(mine.get(key)),
                       theirs.get(key) == mine.get(key))
            for key, paths in parts.items()]


def take_parts(mine: LetterData, theirs: LetterData, parts: list[str]) -> LetterData:
    """My letter with the chosen parts as the other person has them (a part they removed goes)."""
    merged = dict(mine)
    for key in parts:
        if key in theirs:
            merged[key] = theirs[key]
        else:
            merged.pop(key, None)
    return merged
