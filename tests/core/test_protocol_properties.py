"""Properties of every salutation the grammar can make: every office in the lexicon, with every
modifier, before every shape of name, gives a salutation with no full name, no doubled title and no
article inside it, and never "Honorable" (Hickey, 'The Honorable'; Chicago, 'Salutations')."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.address import OFFICES, explain_salutation
from app.core.letter import Addressee
from app.core.protocol import CLERGY, CLERGY_OFFICES, COUPLES, COURTESY, EXCELLENCY, RANKS, ROYAL

MODIFIERS = ["{}", "Acting {}", "Deputy {}", "Interim {}", "Former {}", "{} (Ret.)", "{}-elect", "Vice {}",
             "Former {} of California", "{} of the State of Illinois", "{} for the Ninth Circuit", "{} pro Tem",
             "Chief {}", "Ranking {}", "{}, U.S. Department of Justice"]
# (name as typed, its given names, the surname a clerk would confirm or None)
NAME_SHAPES = [
    ("Jane Doe", "Jane", None), ("Jane Q. Doe", "Jane", None), ("Catherine Cortez Masto", "Catherine", None),
    ("Sheila Jackson Lee", "Sheila", "Jackson Lee"), ("TANAKA Hiroshi", "Hiroshi", None), ("Cher", None, None),
    ("Kevin de León", "Kevin", None), ("Máire Ní Bhriain", "Máire", None), ("John Roe, Jr.", "John", None),
    ("Jane Doe, Ph.D.", "Jane", None), ("Kim Min-ji", "Min-ji", None), ("Nguyễn Văn An", "Văn", None),
    ("Gabriel García Márquez", "Gabriel", None), ("The Honorable Jane Doe", "Jane", None),
]
HONORIFICS = [None, "The Honorable", "Ms.", "Mr.", "Dr.", "Sra.", "Lic.", "His Excellency", "General"]


def check(honorific: str | None, name: str, given_name: str | None, surname: str | None, title: str) -> None:
    addressee = Addressee(honorific=honorific, name=name, title=title, surname=surname)
    line = explain_salutation(addressee).line
    where = f"{honorific!r} {name!r} {title!r}: {line!r}"
    assert line.endswith(":"), where
    words = line.rstrip(":").split()
    # No full name: a given name is never in a salutation of an office, rank or courtesy title.
    if given_name is not None:
        assert given_name not in words, where
    # No doubled title: "Dear President President:", "Dear Mr. Mr. Doe:", "Dear Judge Judge Doe:".
    assert not any(a.lower().strip(".") == b.lower().strip(".") for a, b in itertools.pairwise(words)), where
    # No article and no "Honorable" inside.
    assert not re.search(r"\b(the|The|a|an)\b", line), where
    assert not re.search(r"hono(u)?rable|\bHon\.", line, re.IGNORECASE), where


def test_every_office_with_every_modifier_before_every_name() -> None:
    for key in sorted(OFFICES):
        for modifier in MODIFIERS:
            title = modifier.format(key.title())
            for name, given_name, surname in NAME_SHAPES:
                for honorific in ("The Honorable", "Ms."):
                    check(honorific, name, given_name, surname, title)


def test_every_rank_and_church_office_before_every_name() -> None:
    for key in sorted(set(RANKS) | set(CLERGY_OFFICES)):
        for name, given_name, surname in NAME_SHAPES:
            for honorific in (key.title(), None):
                check(honorific, name, given_name, surname, f"{key.title()}, U.S. Army")


@settings(max_examples=400, deadline=None)
@given(office=st.sampled_from(sorted(OFFICES)), modifier=st.sampled_from(MODIFIERS),
       shape=st.sampled_from(NAME_SHAPES), honorific=st.sampled_from(HONORIFICS + sorted(COURTESY)))
def test_any_office_modifier_name_and_honorific(office: str, modifier: str, shape: tuple[str, str | None, str | None],
                                                honorific: str | None) -> None:
    name, given_name, surname = shape
    check(honorific, name, given_name, surname, modifier.format(office.title()))


def test_every_honorific_alone_gives_a_salutation_of_its_own_kind() -> None:
    for key in sorted({*CLERGY, *COURTESY, *RANKS, *EXCELLENCY, *ROYAL, *COUPLES}):
        clergy = CLERGY.get(key)
        # A religious sister or brother is greeted by the whole religious name (Hickey).
        given = None if clergy is not None and clergy.whole_name else "Jane"
        for title in (None, "Chaplain, U.S. Navy"):
            check(key.title(), "Jane Doe", given, None, title or "")
            line = explain_salutation(Addressee(honorific=key.title(), name="Jane Doe", title=title)).line
            assert "Eminence Doe" not in line, (key, line)
