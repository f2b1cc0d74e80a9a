"""Verdicts that depend on the template alone: render limits are counted, never timed.

``templates check`` once called the stock ``officials-concern`` pack unsound on a busy machine
("the template took too long to render (more than 3 seconds)"). Here the clock is made to lie
(``time.monotonic`` jumps at every look) and the verdicts are shown not to move; only a clock
that runs out before any counted limit does gives the answer "the machine was too busy", which
is not a verdict on the template. Also: a flat tag of 400,000 items, loops whose every pass is
heavy, docxtpl's ``{{p}}``/``{{r}}`` given text, and every valid letter in every stock pack.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from app.cli import main
from app.core.errors import TemplateProblem
from app.core.letter import MAX_ADDRESS_LINES, MAX_ITEMS, MAX_LETTER_TEXT, parse_letter, text_length
from app.core.packs import CORE_SECTIONS
from app.rendering import sandbox
from app.rendering.engine import CompiledPack, check_pack
from app.rendering.sandbox import CLOCK_EVERY, MAX_STEPS, MAX_TOKENS, WALL_SECONDS, MachineTooBusy
from app.rendering.trial import _trial_signature
from tests.conftest import ROOT
from tests.rendering import helpers as h

STOCK = sorted(p for p in (ROOT / "templates").iterdir() if (p / "manifest.yaml").is_file())
#: A loop within every counted limit that still looks at the clock several times: 60,000 passes
#: of a small body, about 360,000 steps. Only for a letter of one concern (the small letter the
#: check renders, and the letters below), so that the stress letters do not repeat it.
HEAVY = "{% if concerns|length == 1 %}{% for i in range(60000) %}{{ loop.index }}{% endfor %}{% endif %}"
#: The old deadline: a render that took longer was called unsound.
OLD_DEADLINE = 3.0
#: Seconds after which a test here is stopped as hung; never a verdict on speed.
HANG = 600


class JumpingClock:
    """A ``time.monotonic`` that moves ``jump`` seconds at every look, however fast the render."""

    def __init__(self, jump: float) -> None:
        self.jump = jump
        self.now = 1000.0
        self.looks = 0

    def __call__(self) -> float:
        self.looks += 1
        self.now += self.jump
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(jump: float) -> JumpingClock:
        fake = JumpingClock(jump)
        monkeypatch.setattr(sandbox.time, "monotonic", fake)
        return fake
    return install


def _packs(tmp_path: Path) -> dict[str, Path]:
    """Packs whose verdicts must not depend on the clock: sound, heavy but sound, and unsound."""
    bodies = {
        "heavy": HEAVY,
        "heavy_body": "{% for i in range(3000) %}" + "{{ subject|length }}" * 60 + "{% endfor %}",
        "replace": "{{ subject|replace('', subject) }}",
    }
    packs = {p.name: p for p in STOCK}
    for name, body in bodies.items():
        packs[name] = h.make_pack(tmp_path / name, ["Dear {{ subject }},", body], pack_id=name.replace("_", "-"))
    return packs


@pytest.mark.timeout(HANG)
def test_a_slow_clock_changes_no_verdict(tmp_path: Path, clock: Any) -> None:
    """Each look at the clock costs more than a share of the old 3-second deadline, so the
    heavy pack's render "takes" longer than it; the verdicts are those of an honest clock."""
    packs = _packs(tmp_path)
    honest = {name: check_pack(folder) for name, folder in packs.items()}
    assert [name for name, findings in honest.items() if not findings] == [*(p.name for p in STOCK), "heavy"]
    assert "steps of work" in honest["heavy_body"][0]
    # As slow as it can be while a render within every counted limit still ends before the
    # last-resort wall clock: the most looks such a render takes, each this long.
    slow = clock(WALL_SECONDS / (MAX_STEPS // CLOCK_EVERY + 2))
    assert {name: check_pack(folder) for name, folder in packs.items()} == honest
    heavy = CompiledPack(packs["heavy"])
    letter = parse_letter(h_letter()).letter
    before = slow.now
    heavy.render(letter)
    assert slow.now - before > OLD_DEADLINE, "the clock was not slow enough to have failed the old check"


@pytest.mark.timeout(HANG)
def test_the_stock_packs_never_look_at_the_clock_while_rendering(clock: Any) -> None:
    """A stock pack's renders stay far below ``CLOCK_EVERY`` steps: however busy the machine,
    its check cannot even be stopped as "too busy", let alone be called unsound."""
    fake = clock(10 * WALL_SECONDS)
    for folder in STOCK:
        assert check_pack(folder) == [], folder.name
    assert fake.looks > 0, "the clock was looked at only to start each render"


@pytest.mark.timeout(HANG)
def test_only_the_wall_clock_running_out_says_too_busy_never_unsound(tmp_path: Path, clock: Any,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = h.make_pack(tmp_path / "heavy", ["Dear {{ subject }},", HEAVY], pack_id="heavy")
    assert check_pack(folder) == []
    clock(WALL_SECONDS)  # every look finds the render past its last resort
    with pytest.raises(MachineTooBusy) as caught:
        check_pack(folder)
    message = str(caught.value)
    assert not isinstance(caught.value, TemplateProblem)
    assert message.startswith("template heavy: the machine was too busy to finish the check")
    assert "no verdict was reached" in message
    assert "unsound" not in message
    with pytest.raises(MachineTooBusy, match=r"^template heavy: the machine was too busy to finish rendering"):
        CompiledPack(folder).render(parse_letter(h_letter()).letter)
    # The command says so and exits 1 (anything else), not 3 (a bad template).
    assert main(["templates", "check", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "too busy to finish the check" in err
    assert "sound" not in out
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(h_letter()), encoding="utf-8")
    target = tmp_path / "letter.docx"
    assert main(["render", "--template", str(folder), "--data", str(data), "--out", str(target)]) == 1
    assert "too busy to finish rendering" in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.timeout(HANG)
def test_a_loop_is_charged_for_its_body_not_only_its_passes(tmp_path: Path) -> None:
    """3,000 passes are few; 3,000 passes of a body of 60 tags are 400,000 evaluations."""
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},",
                                             "{% for i in range(3000) %}" + "{{ subject|length }}" * 60
                                             + "{% endfor %}"])
    findings = check_pack(folder)
    assert len(findings) == 1
    assert f"does more than {MAX_STEPS:,} steps of work" in findings[0]
    assert "word/document.xml, paragraph 2" in findings[0]
    with pytest.raises(TemplateProblem, match="steps of work"):
        CompiledPack(folder).render(parse_letter(h_letter()).letter)


# Digits drawn at random, so that the tag fits the 1 MB a template's XML may hold and does not
# compress like a zip bomb (which the package check refuses before any tag is read).
ITEMS = random.Random(14).choices("0123456789", k=400_000)
FLAT_TAGS = {
    "list": "{{ [" + ",".join(ITEMS) + "]|length }}",
    "tuple": "{{ (" + ",".join(ITEMS) + ")|length }}",
    "concat": "{{ 'a'~" + "~".join(ITEMS) + " }}",
}


@pytest.mark.timeout(HANG)
@pytest.mark.parametrize("shape", sorted(FLAT_TAGS))
def test_one_flat_tag_of_400000_items_is_refused_at_check_and_at_render(shape: str, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},", FLAT_TAGS[shape]])
    findings = check_pack(folder)
    assert len(findings) == 1, findings
    assert f"hold more than {MAX_TOKENS:,} names, numbers, operators" in findings[0]
    assert findings[0].startswith("template hostile, word/document.xml, paragraph 2")
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(h_letter()), encoding="utf-8")
    target = tmp_path / "letter.docx"
    assert main(["render", "--template", str(folder), "--data", str(data), "--out", str(target)]) == 3
    assert f"more than {MAX_TOKENS:,} names" in capsys.readouterr().err
    assert not target.exists()


def test_the_token_budget_is_per_pack_not_per_part(tmp_path: Path) -> None:
    """Many parts each under the budget do not add up to more than one pack may hold."""
    tag = "{{ [" + ",".join(["1"] * (MAX_TOKENS // 3)) + "]|length }}"
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},", tag], header=[tag, tag])
    findings = check_pack(folder)
    assert any(f"more than {MAX_TOKENS:,} names" in f for f in findings), findings


@pytest.mark.parametrize(("tag", "where"), [("{{p subject }}", "paragraph"), ("{{r subject }}", "run"),
                                            ("{{tc subject }}", "table cell"), ("{{tr subject }}", "table row")])
def test_docxtpl_xml_tags_given_text_are_refused_naming_the_paragraph(tag: str, where: str, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Word cannot open text in place of a paragraph or run: refused, at check and at render."""
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},", tag])
    findings = check_pack(folder)
    assert len(findings) == 1, findings
    assert findings[0].startswith(f"template hostile, word/document.xml, paragraph 2 (\u201c{tag}\u201d)")
    assert f"in place of the whole {where}" in findings[0]
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(h_letter()), encoding="utf-8")
    target = tmp_path / "letter.docx"
    assert main(["render", "--template", str(folder), "--data", str(data), "--out", str(target)]) == 3
    assert "in place of the whole" in capsys.readouterr().err
    assert not target.exists()


def test_docxtpl_block_tags_stay_allowed(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},", "{%p if draft %}", "DRAFT", "{%p endif %}"])
    assert check_pack(folder) == []


def test_a_pack_printing_every_whole_inside_address_in_one_paragraph_is_sound(tmp_path: Path) -> None:
    """Unsound only while the limits allowed 100 addressees of 8 lines of 20,000 characters."""
    folder = h.make_pack(tmp_path / "pack", ["Dear {{ subject }},",
                                             "{% for a in addressees %}{{ a.block }} {% endfor %}"])
    assert check_pack(folder) == []


# --- every valid letter renders in every stock pack ---------------------------------------------

def h_letter() -> dict[str, Any]:
    return {"date": "2017-03-16", "subject": "Courthouse arrests",
            "sender": {"court": "Supreme Court of California"},
            "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
            "addressees": [{"honorific": "The Honorable", "name": "Jeff Sessions",
                            "title": "Attorney General of the United States"}],
            "concerns": ["Arrests in courthouses keep witnesses away."]}


#: Text left for the pack's own fields and the letter's template id.
FIELDS_ROOM = 200
_WORDS = "Court & counsel <review> \"quoted\" 'text' \u00a7 12(b) \u2014 Hon. Jane Q. Public-Smith, \n"


def _text(n: int, seed: int) -> str:
    text = (_WORDS[seed % len(_WORDS):] + _WORDS * (n // len(_WORDS) + 2))[:n]
    return text if text.strip() else "x" * n


@st.composite
def letters_at_the_limits(draw: st.DrawFn) -> dict[str, Any]:
    """A letter with as many entries as drawn and its text filled to ``MAX_LETTER_TEXT``,
    with a few values drawn to be as long as one value may be."""
    people = draw(st.integers(1, MAX_ITEMS))
    lines = draw(st.integers(0, MAX_ADDRESS_LINES))
    counts = {s: draw(st.sampled_from([0, 1, MAX_ITEMS // 2, MAX_ITEMS])) for s in CORE_SECTIONS}
    counts["concerns"] = max(1, counts["concerns"])  # a letter has a body
    slots: list[tuple[Any, Any]] = []
    data: dict[str, Any] = {"date": "2017-09-30", "sender": {"address": [None] * MAX_ADDRESS_LINES},
                            "signatory": {}, "addressees": []}
    for key in ("subject", "reference", "complimentary_close"):
        slots.append((data, key))
    for key in ("court", "chambers", "phone", "email"):
        slots.append((data["sender"], key))
    slots += [(data["sender"]["address"], j) for j in range(MAX_ADDRESS_LINES)]
    slots += [(data["signatory"], "name"), (data["signatory"], "title")]
    for _ in range(people):
        person: dict[str, Any] = {"address": [None] * lines}
        data["addressees"].append(person)
        slots += [(person, k) for k in ("honorific", "name", "title", "organization")]
        slots += [(person["address"], j) for j in range(lines)]
    for section, count in counts.items():
        data[section] = [None] * count
        slots += [(data[section], i) for i in range(count)]
    long = draw(st.lists(st.integers(0, len(slots) - 1), max_size=MAX_LETTER_TEXT // 20_000 - 1, unique=True))
    room = MAX_LETTER_TEXT - FIELDS_ROOM - 20_000 * len(long)
    short = len(slots) - len(long)
    each, extra = divmod(room, short)
    shorts = itertools.count()
    for i, (holder, key) in enumerate(slots):
        if i in long:
            holder[key] = _text(20_000, i)
        else:
            holder[key] = _text(max(1, min(20_000, each + (next(shorts) < extra))), i)
    return data


def _valid_word_xml(docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    body = root[0]
    for paragraph in body.iter(f"{{{h.W_NS}}}p"):
        assert all(not (child.tail or "").strip() for child in paragraph), "text outside a run"


def _for_pack(data: dict[str, Any], pack: CompiledPack) -> dict[str, Any]:
    """``data`` as a letter for ``pack``: only its sections, and a value for each of its fields."""
    values = {"text": "Senate Bill 1187 (Okafor)", "multiline": "Heard\nin committee", "date": "2017-09-30",
              "number": 1187, "bool": True}
    fields = {f.name: f.choices[0] if f.type == "choice" else values[f.type] for f in pack.manifest.fields}
    return {**data, "template": pack.id, "fields": fields,
            **{s: data[s] if s in pack.manifest.sections else [] for s in CORE_SECTIONS}}


@pytest.mark.timeout(HANG)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=letters_at_the_limits())
def test_every_valid_letter_renders_in_every_stock_pack(data: dict[str, Any]) -> None:
    for folder in STOCK:
        pack = _compiled(folder)
        letter = parse_letter(_for_pack(data, pack)).letter
        assert text_length(letter) <= MAX_LETTER_TEXT
        _valid_word_xml(pack.render(letter, draft=True).data)
        _valid_word_xml(pack.render(letter, draft=False, signature_png=_trial_signature()).data)


_COMPILED: dict[Path, CompiledPack] = {}


def _compiled(folder: Path) -> CompiledPack:
    if folder not in _COMPILED:
        _COMPILED[folder] = CompiledPack(folder)
    return _COMPILED[folder]
