"""A mail merge renders only what reads the addressee; nothing else about a letter changes.

A compiled pack keeps what a part's steady runs printed (``_MergePlan``) and proves a part well
formed without a parse when only its character data changed (``_Printed.same_structure``).
Every letter must still come out byte for byte as a pack that never saw another letter renders
it, held to the same counted budget, and refused in the same words when it is refused.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import TemplateProblem
from app.core.letter import Letter, parse_letter
from app.rendering import context as contexts
from app.rendering.engine import CompiledPack
from tests.conftest import TEMPLATES, sample_data
from tests.rendering import helpers as h

STOCK = sorted(p.name for p in TEMPLATES.iterdir() if (p / "manifest.yaml").is_file())


def _merge(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One letter to addressees that differ as a merge's rows do, and in what templates branch on."""
    first = data["addressees"][0]
    people = [
        {**first, "name": "Ann Lee"},
        {**first, "name": "Bo Chen", "organization": ""},
        {**first, "name": "Cy Diaz", "address": ["1 Main\tStreet", "Town, CA 95814"]},
        {**first, "name": "Dee O'Neil & Sons <Ltd>"},
        {**first, "name": "Ed Fox", "organization": "", "address": []},
    ]
    letters = [{**copy.deepcopy(data), "addressees": [person]} for person in people]
    letters.append({**copy.deepcopy(data), "addressees": [people[0], people[1]]})
    letters.append({**copy.deepcopy(data), "addressees": people + people[:3]})  # a distribution list
    letters.append({**copy.deepcopy(data), "addressees": [people[2]]})
    return letters


def _alone(folder: Path, letter: Letter, monkeypatch: pytest.MonkeyPatch, **options: Any) -> bytes:
    monkeypatch.setattr(contexts, "_last_letter_part", None)
    return CompiledPack(folder).render(letter, **options).data


@pytest.mark.parametrize("pack", STOCK)
def test_a_merge_renders_every_stock_pack_as_letters_rendered_alone(pack: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shared = CompiledPack(TEMPLATES / pack)
    letters = [(parse_letter(data).letter, draft) for draft in (False, True) for data in _merge(sample_data(pack))]
    merged = [shared.render(letter, draft=draft).data for letter, draft in letters]  # one merge, in turn
    for (letter, draft), data in zip(letters, merged, strict=True):
        assert data == _alone(TEMPLATES / pack, letter, monkeypatch, draft=draft), \
            (pack, draft, [a.name for a in letter.addressees])


BRANCHING = [
    "Dear {{ addressees[0].name|upper }},",
    "{% if addressees[0].organization %}Of {{ addressees[0].organization }}.{% else %}In person.{% endif %}",
    "{% for line in addressees[0].address %}{{ line }}; {% endfor %}",
    "Re: {{ subject }} for {{ addressees[0].surname }}",  # a steady value and a varying one in one paragraph
    "{% for item in opening %}{{ item }} ({{ addressees[0].salutation_name }}) {% endfor %}",  # varying inside
    "{% for item in concerns %}{{ item }} {% endfor %}",
    "{{ complimentary_close }} {{ signatory.name|title }}",
]


def test_templates_that_branch_on_the_addressee_render_each_letter_as_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = h.make_pack(tmp_path / "branching", BRANCHING, pack_id="branching",
                         header=["{{ court.name }}", "{{ addressee_names }}"])
    shared = CompiledPack(folder)
    letters = [parse_letter(data).letter for data in _merge(sample_data())]
    merged = [shared.render(letter).data for letter in letters]
    for letter, data in zip(letters, merged, strict=True):
        assert data == _alone(folder, letter, monkeypatch), [a.name for a in letter.addressees]
    texts = [h.body_paragraph_texts(data) for data in merged]
    # what reads the addressee was rendered afresh, even where it stands among steady values
    assert texts[0][0] == "Dear ANN LEE,"
    assert texts[1][0] == "Dear BO CHEN,"
    assert texts[0][1].startswith("Of ")
    assert texts[1][1] == "In person."
    assert "Town, CA 95814" in texts[2][2]
    assert "Town, CA 95814" not in texts[0][2]
    assert texts[0][3].endswith("for Lee")
    assert texts[1][3].endswith("for Chen")
    assert "(" in texts[0][4]
    assert texts[0][4] != texts[1][4]
    assert texts[3][0] == "Dear DEE O'NEIL & SONS <LTD>,"


def test_a_merge_counts_the_work_a_letter_alone_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox's counted budget sees the text kept from the last letter as if it were made again."""
    shared = CompiledPack(TEMPLATES / "officials-concern")
    letters = [parse_letter(data).letter for data in _merge(sample_data())]
    counts = []
    for letter in letters:
        shared.render(letter)
        counts.append(shared.env.budget.mark()[:3])
    for letter, counted in zip(letters, counts, strict=True):
        monkeypatch.setattr(contexts, "_last_letter_part", None)
        alone = CompiledPack(TEMPLATES / "officials-concern")
        alone.render(letter)
        assert counted == alone.env.budget.mark()[:3]
        assert counted[1] > 0


# The steady paragraph loops 60,000 times; the addressee's paragraph 2,000 times a letter of the
# name: under 100,000 loop passes in all for "Ann Lee", over it for a long name.
LOOPING = [
    "{{ subject }}{% for i in range(60000) %}{% endfor %}",
    "{{ addressees[0].name }}{% for i in range(addressees[0].name|length * 2000) %}{% endfor %}",
]
# The steady paragraph prints 3,000,000 characters; the addressee's 40,000 a letter of the name, twice.
PRINTING = [
    "{% for i in range(3) %}{{ 'x' * 1000000 }}{% endfor %}",
    "{{ 'y' * (addressees[0].name|length * 20000) }}{{ 'y' * (addressees[0].name|length * 20000) }}",
]


@pytest.mark.parametrize(("paragraphs", "words"), [(LOOPING, "loops more than 100,000 times"),
                                                   (PRINTING, "produced more than 4 MB of text")])
def test_the_budget_and_the_size_limit_refuse_a_letter_of_a_merge_as_they_refuse_it_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paragraphs: list[str], words: str) -> None:
    folder = h.make_pack(tmp_path / "heavy", paragraphs, pack_id="heavy")
    base = sample_data()
    short = parse_letter({**base, "addressees": [{**base["addressees"][0], "name": "Ann Lee"}]}).letter
    long = parse_letter({**base, "addressees": [{**base["addressees"][0],
                                                 "name": "Maximilian Vanderbilt-Throckmorton"}]}).letter
    shared = CompiledPack(folder)
    first = shared.render(short).data
    assert shared.render(short).data == first  # the steady paragraph's text is kept from here on
    with pytest.raises(TemplateProblem) as merged:
        shared.render(long)
    monkeypatch.setattr(contexts, "_last_letter_part", None)
    with pytest.raises(TemplateProblem) as alone:
        CompiledPack(folder).render(long)
    assert words in str(merged.value)
    assert str(merged.value) == str(alone.value)
    assert shared.render(short).data == first  # and the next letter is as it was


def test_a_merge_parses_a_part_only_when_more_than_its_character_data_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The well-formedness proof without a parse holds only for escaped text in an element's content:
    a filter that puts a character XML forbids into one letter's name is parsed, and refused."""
    folder = h.make_pack(tmp_path / "control", [
        "{{ subject }}",
        "Dear {{ addressees[0].name|replace('x', '\\x01') }},",
        "{% if addressees[0].organization %}{{ addressees[0].organization }}{% endif %}",
    ], pack_id="control")
    parsed: list[str] = []
    prove = CompiledPack._prove_well_formed

    def counting(self: CompiledPack, part: Any, xml: str) -> None:
        parsed.append(part.name)
        prove(self, part, xml)

    monkeypatch.setattr(CompiledPack, "_prove_well_formed", counting)
    base = sample_data()
    person = base["addressees"][0]

    def letter(**changes: Any) -> Letter:
        return parse_letter({**base, "addressees": [{**person, **changes}]}).letter

    shared = CompiledPack(folder)
    shared.render(letter(name="Ann Lee", organization="Court"))
    shared.render(letter(name="Bo Chen", organization="Office"))  # printed through the merge plan: parsed
    assert parsed == [h.DOCUMENT] * 2
    shared.render(letter(name="Cy Diaz", organization="Bar"))
    assert parsed == [h.DOCUMENT] * 2  # only text changed: proved, not parsed
    shared.render(letter(name="Di Ford", organization=""))  # a piece of text gone: parsed
    assert parsed == [h.DOCUMENT] * 3
    with pytest.raises(TemplateProblem, match="broken Word XML"):
        shared.render(letter(name="Max Lee", organization=""))
    assert parsed == [h.DOCUMENT] * 4


@pytest.mark.parametrize(("before", "now", "proved"), [
    (["<a>", "Ann", "</a>"], ["<a>", "Bo &amp; Cy", "</a>"], True),   # text in an element's content
    (["<a>", "Ann", "</a>"], ["<a>", "", "</a>"], True),              # emptied: still content
    (["<a>", "", "</a>"], ["<a>", "Bo", "</a>"], False),              # nothing stood there to place it
    (["<a>x</a>", " "], ["<a>x</a>", "y"], False),                    # after the root: only white space
    (["<a>", "Ann", "</a>"], ["<a>", "B<b/>", "</a>"], False),        # markup
    (["<a>", "Ann", "</a>"], ["<a>", "B&c;", "</a>"], False),         # a reference escaping never writes
    (["<a>", "Ann", "</a>"], ["<a>", "B\x0b", "</a>"], False),        # a character XML forbids
    (['<a b="', "Ann", '"/>'], ['<a b="', "Bo", '"/>'], False),       # inside a tag
    (["<w:", "p", ">x</w:p>"], ["<w:", "q", ">x</w:p>"], False),      # a name
    (["<a>", "<!-- x", " -->", "</a>"], ["<a>", "<!-- x", "--", "</a>"], False),  # a comment
    (["<a>", "Ann", "</a>"], ["<a>", "Ann", "", "</a>"], False),      # pieces in another number
    (["<a>&", "amp;", "</a>"], ["<a>&", "Bo", "</a>"], False),        # after a reference left open
    (["<a>&amp;", "Ann", "</a>"], ["<a>&amp;", "Bo", "</a>"], True),  # after a reference closed
])
def test_only_character_data_in_an_elements_content_is_proved_without_a_parse(
        before: list[str], now: list[str], proved: bool) -> None:
    from app.rendering.engine import _Printed

    assert _Printed("".join(before), before, b"").same_structure(now) is proved


@pytest.mark.parametrize("paragraph", [
    "{{ subject }}: {{ 10 // (subject|length - 5) }}",  # a steady paragraph, failing when its values change
    "{{ subject }} {{ addressees[0].name }}: {{ 10 // (addressees[0].name|length - 5) }}",  # a varying one
])
def test_a_template_failing_in_a_merge_says_what_it_says_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               paragraph: str) -> None:
    folder = h.make_pack(tmp_path / "dividing", ["{{ date_line }}", paragraph, "{{ complimentary_close }}"],
                         pack_id="dividing")
    base = sample_data()
    person = base["addressees"][0]
    fine = [parse_letter({**base, "addressees": [{**person, "name": name}]}).letter
            for name in ("Ann Lee", "Cy Diaz", "Dee Fox")]
    failing = parse_letter({**base, "subject": "Hello", "addressees": [{**person, "name": "Bo Li"}]}).letter
    shared = CompiledPack(folder)
    for letter in fine:
        shared.render(letter)
    with pytest.raises(TemplateProblem) as merged:
        shared.render(failing)
    monkeypatch.setattr(contexts, "_last_letter_part", None)
    with pytest.raises(TemplateProblem) as alone:
        CompiledPack(folder).render(failing)
    assert "paragraph 2" in str(alone.value)
    assert str(merged.value) == str(alone.value)
    assert shared.render(fine[0]).data == _alone(folder, fine[0], monkeypatch)
