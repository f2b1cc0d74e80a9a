"""A save that met someone else's newer version: what they changed, part by part, beside mine, and my
letter with the parts I take from theirs.

A part is as small as a clerk thinks of an edit: one field ("subject", "signatory.title"), or one
paragraph of a section, one addressee, one cc line. Two people who edited different paragraphs of
Concerns therefore get two parts, and both edits can be kept. Sections are merged three ways, as
diff3 does, against the version both started from (the base): each side's changes are found with
difflib, paragraph by paragraph; where their change and mine touch the same paragraphs, the part
covers both, and taking it means their wording of those paragraphs, leaving it means mine.
Paragraphs only one side changed, and every paragraph nobody changed, stay as they are.

Hand-written rather than taken from a merge library: the pieces are JSON values (paragraphs,
addressee records), not lines of text, and the parts must be offered one by one and taken in any
combination, which line-based merge tools do not expose.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.diff import word_segments
from app.core.vocabulary import ADDRESSEES, is_section, readable_path, section
from app.services.checking import LetterData


@dataclass(frozen=True)
class PartChange:
    """One part of the letter the other person changed (a field, or paragraphs of a section), beside mine."""

    part: str                   # its key for ``take_parts``: "subject", "signatory.title", "concerns[1]"
    paths: tuple[str, ...]      # the fields they changed in it, in their letter, e.g. ("concerns[1]",)
    theirs: str                 # the part as they have it (paragraphs one to a line)
    mine: str                   # the part as I have it
    same: bool                  # mine already says what theirs says
    label: str = ""             # in the court's words: "Concern 2", "Subject", "Addressee 1 (removed)"
    base: str = ""              # the part as it was when both started
    theirs_marked: list[tuple[str, str]] = field(default_factory=list)  # base -> theirs, word by word
    mine_marked: list[tuple[str, str]] = field(default_factory=list)    # base -> mine, word by word


@dataclass(frozen=True)
class _Hunk:
    """One side's change of base[lo:hi] into ``items`` (an insertion when lo == hi)."""

    lo: int
    hi: int
    items: tuple[object, ...]
    at: int  # where ``items`` begin in that side's list


@dataclass
class _Region:
    lo: int
    hi: int
    theirs: list[_Hunk] = field(default_factory=list)
    mine: list[_Hunk] = field(default_factory=list)


def _key(item: object) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _hunks(base: list[object], side: list[object]) -> list[_Hunk]:
    """The side's changes of ``base``, paragraph by paragraph where a block was rewritten in place."""
    found: list[_Hunk] = []
    matcher = difflib.SequenceMatcher(a=[_key(x) for x in base], b=[_key(x) for x in side], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete" or op == "insert":
            found.append(_Hunk(a0, a1, tuple(side[b0:b1]), b0))
            continue
        # A block rewritten: its paragraphs are paired in order, the rest added or removed at its end.
        paired = min(a1 - a0, b1 - b0)
        found.extend(_Hunk(a0 + k, a0 + k + 1, (side[b0 + k],), b0 + k) for k in range(paired))
        if a1 - a0 > paired:
            found.append(_Hunk(a0 + paired, a1, (), b0 + paired))
        elif b1 - b0 > paired:
            found.append(_Hunk(a1, a1, tuple(side[b0 + paired:b1]), b0 + paired))
    return found


def _regions(theirs: list[_Hunk], mine: list[_Hunk]) -> list[_Region]:
    """Hunks grouped where they touch the same paragraphs (diff3's chunks), in the order of the base.

    Two hunks share a region when their base ranges overlap, when both insert at one place, or when
    one inserts inside the other's range. An insertion just before or after a changed paragraph is a
    region of its own: a new paragraph beside an edited one takes nothing from it."""
    tagged = sorted([(h.lo, h.hi, 0, h) for h in theirs] + [(h.lo, h.hi, 1, h) for h in mine],
                    key=lambda t: (t[0], t[1], t[2]))
    regions: list[_Region] = []
    for lo, hi, side, hunk in tagged:
        last = regions[-1] if regions else None
        joins = last is not None and (lo < last.hi or (lo == hi == last.lo == last.hi))
        if not joins or last is None:
            last = _Region(lo, hi)
            regions.append(last)
        last.hi = max(last.hi, hi)
        (last.theirs if side == 0 else last.mine).append(hunk)
    return regions


def _apply(base: list[object], lo: int, hi: int, hunks: list[_Hunk]) -> list[object]:
    """base[lo:hi] with one side's hunks (those of one region) applied."""
    out: list[object] = []
    at = lo
    for hunk in sorted(hunks, key=lambda h: (h.lo, h.hi)):
        out.extend(base[at:hunk.lo])
        out.extend(hunk.items)
        at = max(at, hunk.hi)
    out.extend(base[at:hi])
    return out


def _as_list(value: object) -> list[object] | None:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else None


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(_shown(v) for v in value.values() if v not in (None, "", []))
    return "" if value is None else str(value)


def _entries(key: str, first: int, count: int) -> str:
    """'Concern 2', 'Concerns 2–3' (numbered as the letter counts them, from 1), in the vocabulary's words."""
    if count <= 1:
        return readable_path(f"{key}[{first}]")
    listed = ADDRESSEES if key == ADDRESSEES.key else section(key) if is_section(key) else None
    plural = listed.plural if listed is not None else key.replace("_", " ")
    return f"{plural[:1].upper()}{plural[1:]} {first + 1}–{first + count}"


def _marked(before: list[object], after: list[object]) -> list[tuple[str, str]]:
    """``after`` as word segments against ``before`` ("", text) | ("+", added) | ("-", removed),
    paragraph by paragraph, one "\n" between paragraphs."""
    out: list[tuple[str, str]] = []
    old, new = [_shown(x) for x in before], [_shown(x) for x in after]
    pairs = list(zip(old, new, strict=False))
    pairs += [("", n) for n in new[len(old):]] + [(o, "") for o in old[len(new):]]
    for number, (o, n) in enumerate(pairs):
        if number:
            out.append(("", "\n"))
        out.extend(word_segments(o, n))
    return out


def _list_parts(key: str, base: list[object], theirs: list[object], mine: list[object]
                ) -> list[tuple[_Region, PartChange]]:
    found = []
    for region in _regions(_hunks(base, theirs), _hunks(base, mine)):
        if not region.theirs:
            continue  # only I changed these paragraphs: nothing to offer
        before = base[region.lo:region.hi]
        their_part = _apply(base, region.lo, region.hi, region.theirs)
        my_part = _apply(base, region.lo, region.hi, region.mine)
        at = min(h.at for h in region.theirs)
        # Named by the base's paragraphs it covers, which neither side's later edits move.
        part = f"{key}[{region.lo}]" if region.hi - region.lo == 1 else f"{key}[{region.lo}:{region.hi}]"
        if their_part:
            label = _entries(key, at, len(their_part))
            if not before:
                label += " (new)"
        else:
            label = _entries(key, region.lo, len(before)) + " (removed)"
        paths = tuple(f"{key}[{at + k}]" for k in range(len(their_part))) or (f"{key}[{region.lo}]",)
        found.append((region, PartChange(part, paths, _shown(their_part), _shown(my_part), their_part == my_part,
                                         label, _shown(before), _marked(before, their_part),
                                         _marked(before, my_part))))
    return found


def _field_part(part: str, before: object, theirs: object, mine: object) -> PartChange:
    return PartChange(part, (part,), _shown(theirs), _shown(mine), theirs == mine, readable_path(part), _shown(before),
                      _marked([before], [theirs]), _marked([before], [mine]))


def _keys(*letters: LetterData) -> list[str]:
    seen: dict[str, None] = {}
    for letter in letters:
        seen.update(dict.fromkeys(letter))
    return list(seen)


def conflict_parts(base: LetterData, theirs: LetterData, mine: LetterData) -> list[PartChange]:
    """What the other person changed since the version I started from, part by part, beside mine, in
    the order of their letter: each field, and each paragraph (or run of paragraphs both of us touched)."""
    parts: list[PartChange] = []
    for key in _keys(theirs, base, mine):
        before, after, own = base.get(key), theirs.get(key), mine.get(key)
        if before == after:
            continue
        lists = [_as_list(v) for v in (before, after, own)]
        if all(v is not None for v in lists) and any(isinstance(v, list) for v in (before, after, own)):
            b, t, m = (v or [] for v in lists)
            parts.extend(p for _r, p in _list_parts(key, b, t, m))
        elif all(isinstance(v, dict) or v is None for v in (before, after, own)):
            b_map, t_map, m_map = (v if isinstance(v, dict) else {} for v in (before, after, own))
            for name in _keys(t_map, b_map, m_map):
                if b_map.get(name) != t_map.get(name):
                    parts.append(_field_part(f"{key}.{name}", b_map.get(name), t_map.get(name), m_map.get(name)))
        else:
            parts.append(_field_part(key, before, after, own))
    return parts


def _take_field(merged: LetterData, key: str, name: str | None, theirs: LetterData) -> None:
    if name is None:
        if key in theirs:
            merged[key] = theirs[key]
        else:
            merged.pop(key, None)
        return
    their_map = theirs.get(key)
    mine_map = merged.get(key)
    target = dict(mine_map) if isinstance(mine_map, dict) else {}
    if isinstance(their_map, dict) and name in their_map:
        target[name] = their_map[name]
    else:
        target.pop(name, None)
    merged[key] = target


def take_parts(mine: LetterData, theirs: LetterData, parts: Iterable[str], base: LetterData) -> LetterData:
    """My letter with the chosen parts (``PartChange.part``) as the other person has them; every
    other paragraph and field as I have it. A part they removed goes."""
    wanted = set(parts)
    merged = dict(mine)
    for key in _keys(theirs, base, mine):
        before, after, own = base.get(key), theirs.get(key), mine.get(key)
        if before == after:
            continue
        lists = [_as_list(v) for v in (before, after, own)]
        if all(v is not None for v in lists) and any(isinstance(v, list) for v in (before, after, own)):
            b, t, m = (v or [] for v in lists)
            chosen = [region for region, part in _list_parts(key, b, t, m) if part.part in wanted]
            if chosen:
                merged[key] = _merge_list(b, t, m, chosen)
        elif all(isinstance(v, dict) or v is None for v in (before, after, own)):
            for name in _keys(*(v for v in (after, before, own) if isinstance(v, dict))):
                if f"{key}.{name}" in wanted:
                    _take_field(merged, key, name, theirs)
        elif key in wanted:
            _take_field(merged, key, None, theirs)
    return merged


def _merge_list(base: list[object], theirs: list[object], mine: list[object],
                chosen: list[_Region]) -> list[object]:
    """Mine, with their wording of the chosen regions: base walked region by region."""
    taken = {(r.lo, r.hi) for r in chosen}
    out: list[object] = []
    at = 0
    for region in _regions(_hunks(base, theirs), _hunks(base, mine)):
        out.extend(base[at:region.lo])
        hunks = region.theirs if (region.lo, region.hi) in taken else region.mine
        out.extend(_apply(base, region.lo, region.hi, hunks))
        at = region.hi
    out.extend(base[at:])
    return out
