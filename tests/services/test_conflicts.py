"""Conflict parts are as small as a clerk's edits: a field, a paragraph, an addressee, so that two people's
edits to different paragraphs of one section can both be kept."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from app.core.diff import word_segments
from app.services.conflicts import conflict_parts, take_parts

BASE = {"subject": "Arrests at courthouses",
        "concerns": ["First concern.", "Second concern.", "Third concern."],
        "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice"},
        "addressees": [{"name": "Jeff Sessions", "title": "Attorney General"},
                       {"name": "John F. Kelly", "title": "Secretary"}]}


def letter(**changes: object) -> dict[str, object]:
    return {**BASE, **changes}


def test_their_edit_of_one_concern_and_mine_of_another_are_two_parts_and_both_are_kept() -> None:
    theirs = letter(concerns=["First concern.", "Second concern, as the judge put it.", "Third concern."])
    mine = letter(concerns=["First concern.", "Second concern.", "Third concern, sharpened."])
    parts = conflict_parts(BASE, theirs, mine)
    assert [(p.part, p.label, p.paths, p.theirs, p.mine, p.same) for p in parts] == [
        ("concerns[1]", "Concern 2", ("concerns[1]",), "Second concern, as the judge put it.", "Second concern.",
         False)]
    merged = take_parts(mine, theirs, ["concerns[1]"], BASE)
    assert merged["concerns"] == ["First concern.", "Second concern, as the judge put it.", "Third concern, sharpened."]
    assert take_parts(mine, theirs, [], BASE) == mine


def test_both_editing_one_concern_is_one_part_theirs_or_mine() -> None:
    theirs = letter(concerns=["First concern.", "Theirs.", "Third concern."])
    mine = letter(concerns=["First concern.", "Mine.", "Third concern."])
    [part] = conflict_parts(BASE, theirs, mine)
    assert (part.part, part.theirs, part.mine, part.base) == ("concerns[1]", "Theirs.", "Mine.", "Second concern.")
    assert take_parts(mine, theirs, [part.part], BASE)["concerns"] == theirs["concerns"]
    assert take_parts(mine, theirs, [], BASE)["concerns"] == mine["concerns"]


def test_a_concern_they_added_goes_in_where_they_put_it_beside_my_edit() -> None:
    theirs = letter(concerns=["First concern.", "A new one.", "Second concern.", "Third concern."])
    mine = letter(concerns=["First concern, mine.", "Second concern.", "Third concern."])
    [part] = conflict_parts(BASE, theirs, mine)
    assert (part.part, part.label, part.mine) == ("concerns[1:1]", "Concern 2 (new)", "")
    assert take_parts(mine, theirs, [part.part], BASE)["concerns"] == [
        "First concern, mine.", "A new one.", "Second concern.", "Third concern."]


def test_a_concern_they_removed_goes_only_when_taken() -> None:
    theirs = letter(concerns=["First concern.", "Third concern."])
    mine = letter(concerns=["First concern.", "Second concern.", "Third concern.", "Fourth, mine."])
    [part] = conflict_parts(BASE, theirs, mine)
    assert (part.part, part.label, part.theirs, part.mine) == ("concerns[1]", "Concern 2 (removed)", "",
                                                              "Second concern.")
    assert take_parts(mine, theirs, [part.part], BASE)["concerns"] == ["First concern.", "Third concern.",
                                                                       "Fourth, mine."]


def test_addressees_and_the_signatorys_fields_are_parts_of_their_own() -> None:
    kelly = {"name": "John F. Kelly", "title": "Secretary of Homeland Security"}
    theirs = letter(addressees=[BASE["addressees"][0], kelly],  # type: ignore[index]
                    signatory={"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"})
    sessions = {"name": "Jefferson B. Sessions III", "title": "Attorney General"}
    mine = letter(addressees=[sessions, BASE["addressees"][1]], subject="Mine")  # type: ignore[index]
    parts = {p.part: p for p in conflict_parts(BASE, theirs, mine)}
    assert sorted(parts) == ["addressees[1]", "signatory.title"]
    assert parts["addressees[1]"].label == "Addressee 2"
    assert parts["signatory.title"].label == "Signatory, title"
    merged = take_parts(mine, theirs, list(parts), BASE)
    assert merged["addressees"] == [sessions, kelly]
    assert merged["signatory"] == theirs["signatory"]
    assert merged["subject"] == "Mine"


def test_two_edits_to_one_addressee_are_split_field_by_field_and_both_can_be_kept() -> None:
    kelly = BASE["addressees"][1]  # type: ignore[index]
    theirs = letter(addressees=[BASE["addressees"][0], {**kelly, "title": "Secretary of Homeland Security",  # type: ignore[index]
                                                          "organization": "DHS"}])
    mine = letter(addressees=[BASE["addressees"][0], {**kelly, "name": "John Francis Kelly"}])  # type: ignore[index]
    parts = conflict_parts(BASE, theirs, mine)
    assert [(p.part, p.label, p.paths, p.theirs, p.mine) for p in parts] == [
        ("addressees[1].title", "Addressee 2, title", ("addressees[1].title",), "Secretary of Homeland Security",
         "Secretary"),
        ("addressees[1].organization", "Addressee 2, organization", ("addressees[1].organization",), "DHS", "")]
    merged = take_parts(mine, theirs, ["addressees[1].title"], BASE)
    assert merged["addressees"] == [BASE["addressees"][0], {"name": "John Francis Kelly",  # type: ignore[index]
                                                            "title": "Secretary of Homeland Security"}]
    assert take_parts(mine, theirs, [], BASE) == mine


def test_a_field_of_an_addressee_both_edited_is_one_part_and_a_field_they_emptied_goes() -> None:
    kelly = {**BASE["addressees"][1], "organization": "Department of Homeland Security"}  # type: ignore[index]
    base = letter(addressees=[BASE["addressees"][0], kelly])  # type: ignore[index]
    # They put a new addressee first, so the one both edited is their third and the base's second.
    lynch = {"name": "Loretta Lynch"}
    theirs = letter(addressees=[lynch, BASE["addressees"][0], {"name": kelly["name"], "title": "DHS Secretary"}])  # type: ignore[index]
    mine = letter(addressees=[BASE["addressees"][0], {**kelly, "title": "Secretary of Homeland Security"}])  # type: ignore[index]
    parts = {p.part: p for p in conflict_parts(base, theirs, mine)}
    assert sorted(parts) == ["addressees[0:0]", "addressees[1].organization", "addressees[1].title"]
    title = parts["addressees[1].title"]
    assert (title.label, title.paths, title.base) == ("Addressee 3, title", ("addressees[2].title",), "Secretary")
    assert (title.theirs, title.mine, title.same) == ("DHS Secretary", "Secretary of Homeland Security", False)
    assert (parts["addressees[1].organization"].theirs, parts["addressees[1].organization"].mine) == (
        "", "Department of Homeland Security")
    merged = take_parts(mine, theirs, ["addressees[1].organization"], base)["addressees"]
    assert merged == [BASE["addressees"][0], {"name": kelly["name"], "title": "Secretary of Homeland Security"}]  # type: ignore[index]
    assert take_parts(mine, theirs, list(parts), base)["addressees"] == theirs["addressees"]


def test_an_addressee_they_replaced_by_someone_else_where_i_edited_is_offered_whole() -> None:
    sessions = BASE["addressees"][0]  # type: ignore[index]
    theirs = letter(addressees=[{"name": "Loretta Lynch", "title": "Acting Attorney General"},
                                BASE["addressees"][1]])  # type: ignore[index]
    mine = letter(addressees=[{**sessions, "organization": "Department of Justice"},
                              BASE["addressees"][1]])  # type: ignore[index]
    [part] = conflict_parts(BASE, theirs, mine)
    assert (part.part, part.label) == ("addressees[0]", "Addressee 1")
    assert take_parts(mine, theirs, [part.part], BASE) == theirs


def test_a_field_they_changed_is_a_part_with_its_words_marked() -> None:
    theirs = letter(subject="Arrests inside courthouses")
    mine = letter(subject="Arrests at courthouses")
    [part] = conflict_parts(BASE, theirs, mine)
    assert (part.part, part.label, part.same) == ("subject", "Subject", False)
    assert part.theirs_marked == [("", "Arrests "), ("-", "at"), ("+", "inside"), ("", " courthouses")]
    assert part.mine_marked == [("", "Arrests at courthouses")]
    assert take_parts(mine, theirs, ["subject"], BASE)["subject"] == "Arrests inside courthouses"


def test_word_segments_give_back_both_texts() -> None:
    old, new = "The court asks for a change.", "The court respectfully asks for a change of policy."
    segments = word_segments(old, new)
    assert "".join(t for k, t in segments if k != "+") == old
    assert "".join(t for k, t in segments if k != "-") == new
    assert ("+", " respectfully") in segments


def _paragraph_rewritten(_rng: random.Random, paragraph: str, note: str) -> str:
    return f"{paragraph} ({note})"


def _edited(rng: random.Random, entries: list[Any], tag: str,
            rewritten: Callable[[random.Random, Any, str], Any] = _paragraph_rewritten,
            new: Callable[[str], Any] = lambda note: f"New by {note}.") -> list[Any]:
    """A few edits of the kinds clerks make: an entry (a paragraph) rewritten, one added, one removed."""
    out = list(entries)
    for number in range(rng.randint(0, 3)):
        kind = rng.choice(["rewrite", "add", "remove"])
        if kind == "rewrite" and out:
            i = rng.randrange(len(out))
            out[i] = rewritten(rng, out[i], f"{tag} {number}")
        elif kind == "add":
            out.insert(rng.randint(0, len(out)), new(f"{tag} {number}"))
        elif out:
            out.pop(rng.randrange(len(out)))
    return out


def test_taking_nothing_keeps_mine_and_taking_everything_from_an_untouched_base_gives_theirs() -> None:
    rng = random.Random(15)  # fixed: the same letters every run
    for _case in range(400):
        base_concerns = [f"Concern {n}." for n in range(rng.randint(0, 6))]
        base = {"concerns": base_concerns}
        theirs = {"concerns": _edited(rng, base_concerns, "theirs")}
        mine = {"concerns": _edited(rng, base_concerns, "mine")}
        parts = conflict_parts(base, theirs, mine)
        assert take_parts(mine, theirs, [], base) == mine
        assert len({p.part for p in parts}) == len(parts)  # each part named once
        if theirs == base:
            assert parts == []
        untouched = [p.part for p in conflict_parts(base, theirs, base)]
        assert take_parts(base, theirs, untouched, base)["concerns"] == theirs["concerns"]
        everything = [p.part for p in parts]
        merged = take_parts(mine, theirs, everything, base)["concerns"]
        # Whatever is taken, every paragraph of the result is one that one of the three letters has.
        assert set(merged) <= set(base_concerns) | set(theirs["concerns"]) | set(mine["concerns"])
        for part in parts:  # the same text on both sides needs no choosing, and is said to be the same
            assert part.same == (part.theirs == part.mine)


# --- conflict_parts and take_parts agree, over letters edited at random ----------------------------
NAMES = ["Jeff Sessions", "John F. Kelly", "Loretta Lynch", "Jeh Johnson"]


def _random_letter(rng: random.Random) -> dict[str, object]:
    letter: dict[str, object] = {
        "subject": rng.choice(["Arrests at courthouses", "Courthouse arrests"]),
        "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice"},
        "concerns": [f"Concern {n}." for n in range(rng.randint(0, 4))],
        "addressees": [{"name": name, "title": f"Title {n}"}
                       for n, name in enumerate(rng.sample(NAMES, rng.randint(0, 3)))]}
    if rng.random() < 0.5:
        letter["cc"] = [f"cc {n}" for n in range(rng.randint(1, 3))]
    return letter


def _addressee_rewritten(rng: random.Random, addressee: dict[str, str], note: str) -> dict[str, str]:
    """One field of an addressee changed, or an optional one emptied (then left out of the letter)."""
    out = dict(addressee)
    name = rng.choice(["name", "title", "organization"])
    if name == "organization" and name in out and rng.random() < 0.5:
        del out[name]
    else:
        out[name] = f"{out.get(name, name)} ({note})"
    return out


def _edited_letter(rng: random.Random, base: dict[str, object], tag: str) -> dict[str, object]:
    """A few edits of every kind of part: a field, a field of a mapping, paragraphs, addressees."""
    out = dict(base)
    if rng.random() < 0.3:
        out["subject"] = f"Subject by {tag}"
    elif rng.random() < 0.1:
        del out["subject"]
    if rng.random() < 0.3:
        signatory = dict(base["signatory"])  # type: ignore[call-overload]
        signatory[rng.choice(["name", "title", "phone"])] = f"by {tag}"
        out["signatory"] = signatory
    for key in ("concerns", "cc"):
        if key in base and rng.random() < 0.5:
            out[key] = _edited(rng, base[key], tag)  # type: ignore[arg-type]
    if rng.random() < 0.1:
        out["cc"] = [f"cc by {tag}"]
    out["addressees"] = _edited(rng, base["addressees"], tag, _addressee_rewritten,  # type: ignore[arg-type]
                                lambda note: {"name": f"New by {note}"})
    return out


def test_take_parts_takes_exactly_the_parts_conflict_parts_offers() -> None:
    rng = random.Random(21)  # fixed: the same letters every run
    for _case in range(300):
        base = _random_letter(rng)
        theirs, mine = _edited_letter(rng, base, "theirs"), _edited_letter(rng, base, "mine")
        parts = conflict_parts(base, theirs, mine)
        offered = [p.part for p in parts]
        assert len(set(offered)) == len(offered), offered  # each part named once
        for part in parts:  # each part offered takes something exactly when theirs is not already mine
            assert (take_parts(mine, theirs, [part.part], base) == mine) == part.same, (part, base, theirs, mine)
        # A name that is no part of this conflict takes nothing, even one that would be a part of another.
        elsewhere = {p.part for p in conflict_parts(base, mine, theirs)} | {p.part for p in conflict_parts(
            base, theirs, base)} | {f"signatory.{name}" for name in ("name", "title", "phone")} | {"subject", "cc"}
        assert take_parts(mine, theirs, sorted(elsewhere - set(offered)), base) == mine
        # From an untouched letter, taking every part offered gives theirs whole.
        untouched = [p.part for p in conflict_parts(base, theirs, base)]
        assert take_parts(base, theirs, untouched, base) == theirs, (base, theirs)
