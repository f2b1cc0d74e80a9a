"""Any text a clerk can type or paste renders literally, in every field, into a valid document.

One small pack prints every text field of a letter, one paragraph each (lists through
``{%p for %}``), prefixed with the field's name. Hypothesis fills the fields with markup
characters, emoji, control characters, lone surrogates, CR/CRLF, Jinja tag text and
10,000-character paragraphs; every result must be a valid .docx whose paragraphs read back as
the *cleaned* input (``clean_text``): nothing evaluated, nothing escaped twice, no whitespace
lost.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import sys
import zipfile
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from app.core import address as forms
from app.core.errors import LetterInvalid
from app.core.letter import MAX_LETTER_TEXT, Letter, parse_letter
from app.core.text import MAX_TEXT_LENGTH, clean_text
from app.rendering.engine import CompiledPack
from tests.rendering import helpers as h

LISTS = ("opening", "concerns", "requested_policies", "closing", "cc", "enclosures")

PACK_PARAGRAPHS = [
    "date_line:{{ date_line }}",
    "subject:{{ subject }}",
    "reference:{{ reference }}",
    "court:{{ court.name }}",
    "{%p for line in court.address %}",
    "court.address:{{ line }}",
    "{%p endfor %}",
    "court.address_block:{{ court.address_block }}",
    "phone:{{ court.phone }}",
    "email:{{ court.email }}",
    "signatory.name:{{ signatory.name }}",
    "signatory.title:{{ signatory.title }}",
    "{%p for a in addressees %}",
    "honorific:{{ a.honorific }}",
    "name:{{ a.name }}",
    "title:{{ a.title }}",
    "organization:{{ a.organization }}",
    "{%p for line in a.address %}",
    "address:{{ line }}",
    "{%p endfor %}",
    "name_line:{{ a.name_line }}",
    "block:{{ a.block }}",
    "salutation_name:{{ a.salutation_name }}",
    "{%p endfor %}",
    "addressee_names:{{ addressee_names }}",
    "salutation:{{ salutation }}",
    *[line for name in LISTS for line in (f"{{%p for p in {name} %}}", f"{name}:{{{{ p }}}}", "{%p endfor %}")],
    "complimentary_close:{{ complimentary_close }}",
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> CompiledPack:
    """The every-field pack, compiled once for all examples."""
    return CompiledPack(h.make_pack(tmp_path_factory.mktemp("every-field"), PACK_PARAGRAPHS, pack_id="every-field"))


# --- what a clerk might paste ---------------------------------------------------------------------
TRICKY = [
    "&", "<", ">", '"', "'", "&amp;", "&lt;w:t&gt;", "&#x41;", "]]>", "<![CDATA[", "<w:t>", "</w:t></w:r></w:p>",
    '<w:instrText>INCLUDETEXT "c:/x"</w:instrText>', "<?xml?>", "<!DOCTYPE x>",
    "{{", "}}", "{%", "%}", "{#", "#}", "{{ subject }}", "{{ 7*7 }}", "{% if draft %}", "{%p endfor %}",
    "{{r x }}", "{%tr for x in y %}", "{{ cycler.__init__.__globals__ }}", "$", "\\", "%s", "{0}",
    "\n", "\r\n", "\r", "\t", " ", "  ", "\u00a0", "\u2028", "\u2029", "\ufeff", "\u200b", "\u200d", "\u202e",
    "\U0001f469\u200d\u2696\ufe0f", "\U0001f600", "\U0001f1fa\U0001f1f8", "e\u0301", "\ufdd0", "\U0010fffd",
    "\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff",
    "\ud800", "\udfff", "\ud83d", "\ude00",
]
# docxtpl's escapes for literal tags in template text; a clerk's text holding them must print as typed.
DOCXTPL_ESCAPES = ["{_{", "}_}", "{_%", "%_}"]
# Tokens a clerk's paste might hold, all C0 controls, some lone surrogates and emoji, and runs of
# any characters Hypothesis picks (controls included) or of lone surrogates. Runs are drawn a
# string at a time, which is ten times faster than a character at a time.
ALPHABET = [*TRICKY, *DOCXTPL_ESCAPES, *map(chr, range(0x20)),
            *map(chr, range(0xD800, 0xE000, 0x3F)), "\udbff", "\udc00",
            *map(chr, range(0x1F300, 0x1FB00, 0x2F))]
chunks = st.one_of(
    st.sampled_from(ALPHABET),
    st.text(alphabet=st.characters(exclude_categories=[]), min_size=1, max_size=12),
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=2),
)


def _long(seed: str) -> str:
    """A paragraph of 10,000 characters (pasted text), built from a short random seed."""
    return (seed * (10_000 // len(seed) + 1))[:10_000]


visible = st.sampled_from(["A", "z", "&", "<", ">", '"', "'", "{{", "%}", "\u00e9", "\U0001f600", "\u4e2d", "7"])
# Required fields must keep something besides whitespace once cleaned; the rest is anything.
text = st.lists(chunks, max_size=6).map("".join)
required = st.tuples(text, visible, text).map("".join)
optional = st.one_of(st.none(), text)
# A pasted 10,000-character paragraph (kept to one field a letter: the cost is in the app's cleaning).
long_text = st.tuples(text, visible, text).map("".join).map(_long)


@st.composite
def letters(draw: st.DrawFn) -> dict[str, Any]:
    def section(strategy: st.SearchStrategy[str], least: int = 0) -> list[str]:
        return draw(st.lists(strategy, min_size=least, max_size=2))

    addressees = []
    for _ in range(draw(st.integers(1, 2))):
        addressee: dict[str, Any] = {"name": draw(required), "title": draw(required), "address": section(text)}
        for key in ("honorific", "organization", "salutation"):
            value = draw(optional)
            if value is not None:
                addressee[key] = value
        addressees.append(addressee)
    data: dict[str, Any] = {
        "date": draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))).isoformat(),
        "subject": draw(required),
        "sender": {"court": draw(required), "address": section(text)},
        "signatory": {"name": draw(required), "title": draw(required)},
        "addressees": addressees,
        "complimentary_close": draw(text),
        "concerns": section(required, least=1),
        **{name: section(text) for name in LISTS if name != "concerns"},
    }
    for key, where in (("reference", data), ("phone", data["sender"]), ("email", data["sender"])):
        value = draw(optional)
        if value is not None:
            where[key] = value
    slots = _slots(data)
    chosen = draw(st.integers(0, len(slots)))  # len(slots): no long paragraph this time
    if chosen < len(slots):
        container, key = slots[chosen]
        container[key] = draw(long_text)
    return data


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) holding a string in the letter, so one can be made long."""
    found: list[tuple[Any, Any]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, str) and key != "date":
            found.append((value, key))
        elif isinstance(item, dict | list):
            found.extend(_slots(item))
    return found


# --- what must come back --------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _clean(value: str) -> str:
    return clean_text(value)[0]


def cleaned(value: str | None) -> str:
    return "" if value is None else _clean(value)


def capped(derived: str) -> str:
    """A value the context derives from several fields is cleaned once more, and never cut."""
    return clean_text(derived, limit=sys.maxsize)[0]


def expected_paragraphs(raw: dict[str, Any], letter: Letter) -> list[str]:
    """Every paragraph the pack prints, from the raw input cleaned (derived forms from the letter)."""
    sender = raw["sender"]
    out = [
        f"date_line:{letter.date_line}",
        f"subject:{cleaned(raw['subject'])}",
        f"reference:{cleaned(raw.get('reference'))}",
        f"court:{cleaned(sender['court'])}",
        *[f"court.address:{cleaned(line)}" for line in sender["address"]],
        f"court.address_block:{capped(chr(10).join(cleaned(line) for line in sender['address']))}",
        f"phone:{cleaned(sender.get('phone'))}",
        f"email:{cleaned(sender.get('email'))}",
        f"signatory.name:{cleaned(raw['signatory']['name'])}",
        f"signatory.title:{cleaned(raw['signatory']['title'])}",
    ]
    for given_, addressee in zip(raw["addressees"], letter.addressees, strict=True):
        out += [
            f"honorific:{cleaned(given_.get('honorific'))}",
            f"name:{cleaned(given_['name'])}",
            f"title:{cleaned(given_['title'])}",
            f"organization:{cleaned(given_.get('organization'))}",
            *[f"address:{cleaned(line)}" for line in given_.get("address", [])],
            f"name_line:{capped(forms.name_line(addressee))}",
            f"block:{capped(chr(10).join(forms.inside_address(addressee)))}",
            f"salutation_name:{capped(forms.salutation_name(addressee))}",
        ]
    out.append(f"addressee_names:{capped(forms.join_names([forms.name_line(a) for a in letter.addressees]))}")
    out.append(f"salutation:{capped(letter.salutation)}")
    for name in LISTS:  # a paragraph left blank by cleaning is left out of the letter (and reported)
        out += [f"{name}:{cleaned(p)}" for p in raw[name] if cleaned(p).strip()]
    out.append(f"complimentary_close:{cleaned(raw['complimentary_close'])}")
    return out


def check_letter_fields(raw: dict[str, Any], letter: Letter) -> None:
    """Parsing stored exactly the cleaned text, in every field (including salutation overrides)."""
    assert letter.subject == cleaned(raw["subject"])
    assert (letter.reference or "") == cleaned(raw.get("reference"))
    assert letter.sender.court == cleaned(raw["sender"]["court"])
    assert [*letter.sender.address] == [cleaned(x) for x in raw["sender"]["address"]]
    assert (letter.sender.phone or "", letter.sender.email or "") == (
        cleaned(raw["sender"].get("phone")), cleaned(raw["sender"].get("email")))
    assert (letter.signatory.name, letter.signatory.title) == (
        cleaned(raw["signatory"]["name"]), cleaned(raw["signatory"]["title"]))
    for given_, addressee in zip(raw["addressees"], letter.addressees, strict=True):
        for key in ("honorific", "name", "title", "organization", "salutation"):
            assert (getattr(addressee, key) or "") == cleaned(given_.get(key)), key
        assert [*addressee.address] == [cleaned(x) for x in given_.get("address", [])]
    assert letter.complimentary_close == cleaned(raw["complimentary_close"])
    for name in LISTS:
        assert [*getattr(letter, name)] == [cleaned(x) for x in raw[name]], name


W = h.W


def check_document(data: bytes, expected: list[str], *, with_python_docx: bool) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        document_xml = archive.read(h.DOCUMENT)
    root = etree.fromstring(document_xml)
    for t in root.iter(f"{W}t"):
        value = t.text or ""
        if value != value.strip(" \t\n\u00a0\u2028\u2029\u3000") or "  " in value:
            # Without xml:space="preserve", Word drops the spaces at the ends of the run.
            assert t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve", repr(value[:40])
    assert h.body_paragraph_texts(data) == expected
    if with_python_docx:
        document = docx.Document(io.BytesIO(data))
        assert [p.text for p in document.paragraphs] == expected


def render_and_check(pack: CompiledPack, raw: dict[str, Any], *, with_python_docx: bool = True) -> bytes:
    try:
        parsed = parse_letter(raw)
    except LetterInvalid as exc:
        raise AssertionError(f"a letter built to be valid was refused: {exc}") from None
    letter = parsed.letter
    check_letter_fields(raw, letter)
    rendered = pack.render(letter)
    # Rendering finds nothing left to clean and cuts nothing (text joined from several fields
    # may pass the one-field limit); it leaves out (and reports) every list paragraph that is blank.
    blank = {f"{name}[{i}]" for name in LISTS for i, p in enumerate(raw[name]) if not cleaned(p).strip()}
    assert {r.path for r in rendered.removals if r.what == "an empty paragraph"} == blank
    assert [r for r in rendered.removals if r.what != "an empty paragraph"] == []
    check_document(rendered.data, expected_paragraphs(raw, letter), with_python_docx=with_python_docx)
    return rendered.data


# --- the property ---------------------------------------------------------------------------------
_examples = {"count": 0}


@pytest.mark.timeout(600)
@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(raw=letters())
def test_every_field_renders_literally_into_a_valid_document(pack: CompiledPack, raw: dict[str, Any]) -> None:
    _examples["count"] += 1
    # python-docx reads every 10th document (a run at a time, it costs ~10x the lxml reader);
    # the lxml reader, which reads w:t, w:br and w:tab as python-docx does, reads them all.
    render_and_check(pack, raw, with_python_docx=_examples["count"] % 10 == 1)


# --- chosen values, in every field at once ----------------------------------------------------------
def every_field(value: str) -> dict[str, Any]:
    """A letter with ``value`` in every text field (and around it where a field must not be blank)."""
    need = f"x{value}x" if not clean_text(value)[0].strip() else value
    return {
        "date": "2017-03-16", "reference": value, "subject": need,
        "sender": {"court": need, "address": [value, value], "phone": value, "email": value},
        "signatory": {"name": need, "title": need},
        "addressees": [{"honorific": value, "name": need, "title": need, "organization": value,
                        "address": [value], "salutation": value},
                       {"name": need, "title": need}],
        "opening": [value], "concerns": [need, value], "requested_policies": [value], "closing": [value],
        "complimentary_close": value, "cc": [value], "enclosures": [value, value],
    }


@pytest.mark.parametrize("value", [
    "  leading and trailing  ", " ", "\t tab\t", "\nline\nbreaks\n", "a\r\nb\rc", "\r\n\r\n",
    "{{ subject }}", "{% for x in concerns %}{{ x }}{% endfor %}", "{{ 7*7 }}{# comment #}", "{%p if draft %}",
    "&lt;b&gt; & <b> \"quoted\" 'single'", "</w:t></w:r><w:r><w:instrText>INCLUDETEXT x</w:instrText></w:r><w:r><w:t>",
    "]]><![CDATA[", "\x00\x07\x0b\x0c\x1b nul bell vt ff esc", "lone \ud800 high \udfff low \ud83d", "\ufffe\uffff",
    "\U0001f469\u200d\u2696\ufe0f \U0001f600 \U0001f1fa\U0001f1f8", "\u202eright-to-left", "\u2028\u2029\ufeff",
    "word " * 2_000, "x" * MAX_TEXT_LENGTH,
], ids=lambda v: repr(v[:24]))
def test_chosen_values_in_every_field(pack: CompiledPack, value: str) -> None:
    for letter in in_turns(every_field(value)):
        render_and_check(pack, letter)


def in_turns(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """``raw`` if its whole text fits a letter, else letters that each keep as many of its
    values as fit (``MAX_LETTER_TEXT``) and hold "x" elsewhere, so that every field still gets
    the value in one of them."""
    slots: list[tuple[Any, Any]] = []

    def walk(holder: Any) -> None:
        for key in range(len(holder)) if isinstance(holder, list) else list(holder):
            if isinstance(holder[key], str) and key != "date":
                slots.append((holder, key))
            elif isinstance(holder[key], dict | list):
                walk(holder[key])

    walk(raw)
    longest = max(len(holder[key]) for holder, key in slots)
    if longest * len(slots) <= MAX_LETTER_TEXT:
        return [raw]
    per_letter = MAX_LETTER_TEXT // longest - 1  # room for the "x" of every other field
    letters = []
    for start in range(0, len(slots), per_letter):
        values = [holder[key] for holder, key in slots]
        for n, (holder, key) in enumerate(slots):
            if not start <= n < start + per_letter:
                holder[key] = "x"
        letters.append(json.loads(json.dumps(raw)))
        for (holder, key), value in zip(slots, values, strict=True):
            holder[key] = value
    return letters


def test_text_over_the_limit_is_refused_with_its_path_not_cut() -> None:
    raw = every_field("y" * (MAX_TEXT_LENGTH + 5))
    with pytest.raises(LetterInvalid) as caught:
        parse_letter(raw)
    assert any(p.path == "subject" and "too long" in p.message for p in caught.value.problems)


def test_properties_are_set_from_the_cleaned_text(pack: CompiledPack) -> None:
    raw = every_field("A & <B> \x07{{ subject }}\ud800 ")
    data = render_and_check(pack, raw)
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.title == "A & <B> {{ subject }} "
    assert properties.author == "A & <B> {{ subject }} "


@pytest.mark.parametrize("value", ["{_{ x }_}", "{_% if %_}"])
def test_docxtpl_escape_sequences_in_text_are_kept(pack: CompiledPack, value: str) -> None:
    render_and_check(pack, every_field(value))


def test_template_skeleton_is_what_the_property_assumes(pack: CompiledPack) -> None:
    """Each printing paragraph of the pack is one paragraph of output (the loops leave none)."""
    assert sum(1 for p in PACK_PARAGRAPHS if p.startswith("{%p")) == 2 * (3 + len(LISTS))
    assert pack.parts.keys() == {h.DOCUMENT}
    letter = parse_letter(every_field("v")).letter
    texts = h.body_paragraph_texts(pack.render(letter).data)
    assert texts[:4] == ["date_line:March 16, 2017", "subject:v", "reference:v", "court:v"]
