"""The sandbox decides what a template may call on the object, never on the name it goes by.

The attack this answers: ``{% for range in [subject.center] %}{{ range(10**9) }}{% endfor %}``
passed a static check that allowed any call of something *named* ``range`` and ran for 32 s in
13.7 GB. Each case here is refused cleanly (a message naming the template, the part and the
paragraph; within seconds; within a memory budget), by the static check where it can see the
problem and by the run-time checks alone when the static check is bypassed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateError
from markupsafe import Markup

from app.core.letter import Letter, parse_letter
from app.rendering.context import build_context
from app.rendering.sandbox import (
    ALLOWED_FILTERS,
    RESERVED_NAMES,
    LetterEnvironment,
    RenderLimitExceeded,
    check_template,
)
from tests.rendering.test_hostile_templates import (
    HANG,
    IDENTITY_CASES,
    MEGA,
    Case,
    bounded,
    build,
    check_message,
    letter_data,
    refusal,
)

MEGABYTES = 200


@pytest.fixture(scope="module")
def letter() -> Letter:
    """A hundred concerns and a 20,000-character subject, as in the hostile corpus."""
    return parse_letter(letter_data()).letter


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", IDENTITY_CASES, ids=lambda c: c.id)
def test_refused_cleanly_by_the_pack(case: Case, tmp_path: Path, letter: Letter) -> None:
    marker = tmp_path / "pwned"
    folder = build(case, tmp_path / "pack", marker)
    message = refusal(folder, letter)
    check_message(case, message, marker)


# Bindings that shadow a name are refused because the static check would misread the rest of
# the template, not because running them does harm; and ``r`` bound to range *is* range.
HARMLESS_TO_RUN = frozenset({
    "loop_variable_named_like_a_filter", "loop_variable_named_like_a_test",
    "loop_variable_named_like_a_letter_value", "loop_variable_named_caller", "range_through_alias",
})


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("case", [c for c in IDENTITY_CASES if c.id not in HARMLESS_TO_RUN], ids=lambda c: c.id)
def test_refused_by_the_sandbox_alone(case: Case, letter: Letter) -> None:
    """Defence in depth: with the static check bypassed, the run-time checks refuse each case."""
    env = LetterEnvironment()
    context, _ = build_context(letter)
    env.budget.start()
    with bounded(megabytes=MEGABYTES), pytest.raises(TemplateError):
        env.from_string(case.payload).render(context)


@pytest.mark.timeout(HANG)
def test_the_reported_attack_is_refused_within_bounds(letter: Letter) -> None:
    """Was 32 s and 13.7 GB; now a SecurityError at the attribute, before anything is built."""
    env = LetterEnvironment()
    context, _ = build_context(letter)
    env.budget.start()
    source = "{% for range in [subject.center] %}{{ range(10**9) }}{% endfor %}"
    with bounded(megabytes=MEGABYTES), pytest.raises(TemplateError) as caught:
        env.from_string(source).render(context)
    assert "the template uses 'center' of a str value, which a template may not use" in str(caught.value)


def test_may_call_decides_on_the_object() -> None:
    env, other = LetterEnvironment(), LetterEnvironment()
    text = "Immigration enforcement"

    class Text(str):
        pass

    def upper() -> str:  # a function merely named like an allowed method
        return "pwned"

    assert env.may_call(env._range)
    assert not env.may_call(other._range), "another environment's range has another budget"
    assert not env.may_call(LetterEnvironment._range), "the unbound function is not the method"
    assert env.may_call(text.upper)
    assert env.may_call(text.startswith)
    assert not env.may_call(text.center)
    assert not env.may_call(text.format)
    assert not env.may_call(Text(text).upper), "a str subclass may override its methods"
    assert not env.may_call(Markup(text).upper)
    assert not env.may_call(upper)
    assert not env.may_call(len)
    assert not env.may_call(str.upper)
    assert not env.may_call({}.items)
    assert not env.may_call(env.filters["join"]), "filters are applied with |, never called"


@pytest.mark.parametrize("name", ["range", *RESERVED_NAMES, *ALLOWED_FILTERS[:5], "defined", "number",
                                  "subject", "addressees", "fields", "draft"])
@pytest.mark.parametrize("binding", [
    "{{% for {name} in concerns %}}x{{% endfor %}}",
    "{{% for a, {name} in [(1, 2)] %}}x{{% endfor %}}",
    "{{% set {name} = 1 %}}",
    "{{% set {name} %}}x{{% endset %}}",
    "{{% with {name} = 1 %}}x{{% endwith %}}",
    "{{% macro m({name}) %}}x{{% endmacro %}}",
])
def test_no_binding_may_shadow_a_name_the_template_relies_on(name: str, binding: str) -> None:
    env = LetterEnvironment()
    findings = check_template(env, env.parse(binding.format(name=name)), None)
    assert any(f"names a variable '{name}'" in f.message for f in findings) or (
        name == "loop" and any("'loop', which Jinja reserves" in f.message for f in findings)), findings


def test_ordinary_names_may_be_bound() -> None:
    env = LetterEnvironment()
    source = "{% for item in concerns %}{% for a, b in [(1, 2)] %}{{ item }}{{ a }}{% endfor %}{% endfor %}"
    assert check_template(env, env.parse(source), None) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ range(3)|join(',') }}", "0,1,2"),
    ("{{ subject.upper() }}", "IMMIGRATION"),
    ("{{ subject.startswith('Imm') }}", "True"),
    ("{{ court.name }}", "Supreme Court"),
])
def test_the_allow_list_still_runs(source: str, expected: str) -> None:
    """What the allow-list names runs (here with the static check bypassed)."""
    env = LetterEnvironment()
    env.budget.start()
    context = {"subject": "Immigration", "court": {"name": "Supreme Court", "items": "a field"}}
    assert env.from_string(source).render(context) == expected


@pytest.mark.parametrize(("source", "words"), [
    ("{{ subject.strip(subject) }}", "strip() takes at most 0"),
    ("{{ subject.startswith(('a', 'b')) }}", "startswith() takes at most 1"),
    ("{{ subject.upper(x=1) }}", "upper() takes at most 0"),
    ("{{ (subject ~ '')|length }}{{ court.name() }}", "the template calls a str value, which is not a function"),
    ("{{ subject.upper }}", "the template prints a function instead of a value"),
])
def test_allowed_methods_take_only_what_they_need(source: str, words: str) -> None:
    env = LetterEnvironment()
    env.budget.start()
    with pytest.raises(TemplateError, match=words.replace("(", r"\(").replace(")", r"\)")):
        env.from_string(source).render({"subject": "x" * 1000, "court": {"name": "Court"}})


def test_a_dict_key_wins_over_a_dict_method() -> None:
    """A pack field called ``items`` means the field, not ``dict.items``."""
    env = LetterEnvironment()
    env.budget.start()
    assert env.from_string("{{ fields.items }}|{{ fields['values'] }}").render(
        {"fields": {"items": "three items", "values": "our values"}}) == "three items|our values"


def test_the_build_budget_is_per_letter() -> None:
    """A budget error, not memory exhaustion: and the next letter starts afresh."""
    env = LetterEnvironment()
    template = env.from_string("{{ [" + ", ".join([MEGA] * 45) + "]|length }}")
    env.budget.start()
    with pytest.raises(RenderLimitExceeded, match="builds more than"):
        template.render({})
    small = env.from_string("{{ [" + ", ".join([MEGA] * 3) + "]|length }}")
    env.budget.start()
    assert small.render({}) == "3"
