"""A save that met someone else's newer version: what they changed, part by part, beside mine, and my
letter with the parts I take from theirs.

A part is as small as a clerk thinks of an edit: one field ("subject", "signatory.title"), or one
paragraph of a section, one addressee, one cc line. Two people who edited different paragraphs of
Concerns therefore get two parts, and both edits can be kept; two who edited one addressee get a part
per field she changed ("Addressee 2, title"), so her title and my spelling of the name both stay.
Sections are merged three ways, as diff3 does, against the version both started from (the base):
each side's changes are found with difflib, paragraph by paragraph; where their change and mine
touch the same paragraphs, the part covers both, and taking it means their wording of those
paragraphs, leaving it means mine.
Paragraphs only one side changed, and every paragraph nobody changed, stay as they are.

Hand-written rather than taken from a merge library: the pieces are JSON values (paragraphs,
addressee records), not lines of text, and the parts must be offered one by one and taken in any
combination, which line-based merge tools do not expose.
"""

from __future__ import annotations

import abc
import difflib
import enum
import json
from collections.abc import Iterable, Iterator, Mapping
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


def _field_part(part: str, before: object, theirs: object, mine: object, path: str = "") -> PartChange:
    """One field as a part: named ``part`` for ``take_parts``, found at ``path`` in their letter (where an
    addressee's number in their letter is not its number in the base)."""
    path = path or part
    return PartChange(part, (path,), _shown(theirs), _shown(mine), theirs == mine, readable_path(path),
                      _shown(before), _marked([before], [theirs]), _marked([before], [mine]))


def _keys(*letters: Mapping[str, object]) -> list[str]:
    seen: dict[str, None] = {}
    for letter in letters:
        seen.update(dict.fromkeys(letter))
    return list(seen)


class _Gone(enum.Enum):
    """What taking a part puts in where they removed the field: nothing, the key goes too."""

    GONE = "gone"


_GONE = _Gone.GONE


def _put(mapping: dict[str, object], key: str, value: object) -> None:
    """``value`` in at ``key``; ``_GONE`` takes the key out."""
    if value is _GONE:
        mapping.pop(key, None)
    else:
        mapping[key] = value


class _Merge(abc.ABC):
    """One value of the letter merged three ways: the parts a clerk may take in it, in the order of
    their letter, and the value a choice of them gives. Each kind of value is one subclass, chosen
    in one place (``_merge_of``), so ``conflict_parts`` and ``take_parts`` always see the same parts."""

    parts: tuple[PartChange, ...] = ()

    @abc.abstractmethod
    def merged(self, wanted: set[str]) -> object:
        """The value with the ``wanted`` parts as they have them, the rest as I have them (``_GONE``: no
        value, the key goes)."""


class _Kept(_Merge):
    """Paragraphs nobody changed, or only I did: nothing to offer, kept as I have them."""

    def __init__(self, value: list[object]) -> None:
        self.value = value

    def merged(self, wanted: set[str]) -> object:
        return self.value


class _Whole(_Merge):
    """A value offered whole: a field ("subject"), or paragraphs of a section that their change covers."""

    def __init__(self, part: PartChange, taken: object, kept: object) -> None:
        self.parts = (part,)
        self.taken, self.kept = taken, kept

    def merged(self, wanted: set[str]) -> object:
        return self.taken if self.parts[0].part in wanted else self.kept


class _Record(_Merge):
    """A mapping ("signatory"): each field they changed is a part of its own, taken into mine. ``where``
    is where it stands in their letter when that differs from ``key`` (an addressee they moved)."""

    def __init__(self, key: str, before: object, theirs: object, mine: object, where: str = "") -> None:
        b, t, m = (v if isinstance(v, dict) else {} for v in (before, theirs, mine))
        self.mine = m
        self.taken = {name: t.get(name, _GONE) for name in _keys(t, b, m) if b.get(name) != t.get(name)}
        self.parts = tuple(_field_part(f"{key}.{name}", b.get(name), t.get(name), m.get(name),
                                       f"{where or key}.{name}") for name in self.taken)

    def merged(self, wanted: set[str]) -> object:
        out = dict(self.mine)
        for (name, value), part in zip(self.taken.items(), self.parts, strict=True):
            if part.part in wanted:
                _put(out, name, value)
        return out


class _Entry(_Record):
    """One entry of a section that both of us edited, a record (an addressee): merged field by field
    like any mapping, so her corrected title and my corrected name are two parts and both can be kept."""

    def merged(self, wanted: set[str]) -> object:
        return [super().merged(wanted)]


class _Paragraphs(_Merge):
    """A section ("concerns", "addressees", "cc"): the base walked region by region, as diff3 does.
    A region only I changed is kept as mine; one record we both edited is merged field by field; any
    other region they changed is offered whole."""

    def __init__(self, key: str, base: list[object], theirs: list[object], mine: list[object]) -> None:
        self.pieces: list[_Merge] = []
        at = 0
        for region in _regions(_hunks(base, theirs), _hunks(base, mine)):
            self.pieces.append(_Kept(base[at:region.lo]))
            my_part = _apply(base, region.lo, region.hi, region.mine)
            if _one_record_both_edited(base, region):
                their_record, my_record = region.theirs[0].items[0], region.mine[0].items[0]
                self.pieces.append(_Entry(f"{key}[{region.lo}]", base[region.lo], their_record, my_record,
                                          f"{key}[{region.theirs[0].at}]"))
            elif region.theirs:
                their_part = _apply(base, region.lo, region.hi, region.theirs)
                self.pieces.append(_Whole(_region_part(key, base, region, their_part, my_part),
                                          their_part, my_part))
            else:
                self.pieces.append(_Kept(my_part))
            at = region.hi
        self.pieces.append(_Kept(base[at:]))
        self.parts = tuple(part for piece in self.pieces for part in piece.parts)

    def merged(self, wanted: set[str]) -> object:
        out: list[object] = []
        for piece in self.pieces:
            stretch = piece.merged(wanted)
            assert isinstance(stretch, list)
            out.extend(stretch)
        return out


def _one_record_both_edited(base: list[object], region: _Region) -> bool:
    """Both of us rewrote the same one entry of the base, a record (an addressee), and both still have
    the same person there. A rewritten block's entries are paired by their place (``_hunks``), so the
    entry at that place may be someone else: one who keeps no field of the base's (Ms. Lynch where Mr.
    Sessions stood) is offered whole, never merged field by field into a person nobody wrote."""
    before = base[region.lo] if region.hi - region.lo == 1 else None
    if not isinstance(before, dict) or len(region.theirs) != 1 or len(region.mine) != 1:
        return False
    for hunk in (region.theirs[0], region.mine[0]):
        after = hunk.items[0] if (hunk.lo, hunk.hi, len(hunk.items)) == (region.lo, region.hi, 1) else None
        if not isinstance(after, dict) or not any(after.get(name) == value for name, value in before.items()):
            return False
    return True


def _region_part(key: str, base: list[object], region: _Region, their_part: list[object],
                 my_part: list[object]) -> PartChange:
    """The paragraphs of a section their change covers, as one part beside mine."""
    before = base[region.lo:region.hi]
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
    return PartChange(part, paths, _shown(their_part), _shown(my_part), their_part == my_part, label,
                      _shown(before), _marked(before, their_part), _marked(before, my_part))


def _merge_of(key: str, base: LetterData, theirs: LetterData, mine: LetterData) -> _Merge:
    """How the value at ``key`` is merged: the one place that tells a section from a mapping from a
    field, so a new kind of part is added here and both ``conflict_parts`` and ``take_parts`` have it."""
    before, after, own = base.get(key), theirs.get(key), mine.get(key)
    lists = [_as_list(v) for v in (before, after, own)]
    if all(v is not None for v in lists) and any(isinstance(v, list) for v in (before, after, own)):
        b, t, m = (v or [] for v in lists)
        return _Paragraphs(key, b, t, m)
    if all(isinstance(v, dict) or v is None for v in (before, after, own)):
        return _Record(key, before, after, own)
    return _Whole(_field_part(key, before, after, own), theirs.get(key, _GONE), mine.get(key, _GONE))


def _merges(base: LetterData, theirs: LetterData, mine: LetterData) -> Iterator[tuple[str, _Merge]]:
    """Each key of the letter they changed since the version I started from, in the order of their
    letter, with how it is merged: the one walk ``conflict_parts`` and ``take_parts`` share."""
    for key in _keys(theirs, base, mine):
        if base.get(key) != theirs.get(key):
            yield key, _merge_of(key, base, theirs, mine)


def conflict_parts(base: LetterData, theirs: LetterData, mine: LetterData) -> list[PartChange]:
    """What the other person changed since the version I started from, part by part, beside mine, in
    the order of their letter: each field, and each paragraph (or run of paragraphs both of us touched)."""
    return [part for _key, merge in _merges(base, theirs, mine) for part in merge.parts]


def take_parts(mine: LetterData, theirs: LetterData, parts: Iterable[str], base: LetterData) -> LetterData:
    """My letter with the chosen parts (``PartChange.part``) as the other person has them; every
    other paragraph and field as I have it. A part they removed goes. A name that is not one of
    ``conflict_parts``' takes nothing."""
    wanted = set(parts)
    merged = dict(mine)
    for key, merge in _merges(base, theirs, mine):
        if not any(part.part in wanted for part in merge.parts):
            continue  # left as I have it, even where "as I have it" is absent
        _put(merged, key, merge.merged(wanted))
    return merged
