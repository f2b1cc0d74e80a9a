"""Checking a letter as typed: what stops export, what cleaning removed, the fast preview, and the
letter as the judge reads it on paper. No Qt: the window runs these on its workers."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core.address import Finding, letter_findings
from app.core.errors import ChambersError, LetterInvalid, Problem, TemplateProblem
from app.core.letter import Letter, iter_text, parse_letter
from app.core.records import LetterVersion
from app.core.text import Removal
from app.core.vocabulary import PARAGRAPH_SECTIONS, section
from app.rendering.engine import CompiledPack
from app.rendering.fonts import print_check
from app.rendering.preview import Preview, docx_preview
from app.services.templates import TemplateLibrary

# The letter's JSON, as the form holds it: nested dicts, lists and scalars.
LetterData = dict[str, object]

# A compiled pack keeps per-render state (its sandbox budget, its zip cache): one render at a time.
RENDER_LOCK = threading.Lock()


@dataclass
class Check:
    """The letter as typed, checked: what stops export, what cleaning removed, and its preview."""

    letter: Letter | None
    problems: list[Problem] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    preview: Preview | None = None
    docx: bytes | None = None
    millis: float = 0.0
    # Advice that never stops export: name-line checks, guessed salutations, substituted fonts.
    advice: list[Finding] = field(default_factory=list)
    print_warnings: list[Problem] = field(default_factory=list)
    # False for the quick check that shows the preview at once: the advice and the font check are not
    # in it yet (``complete_check`` adds them); Preflight and the actions are given complete checks only.
    complete: bool = True

    @property
    def exportable(self) -> bool:
        return self.letter is not None and not self.problems and not self.removals

    @property
    def blocking(self) -> str:
        """Why this letter cannot go to a judge or be approved now ("" when it can)."""
        count = len(self.problems) + len(self.removals)
        if self.letter is None or count:
            what = "1 problem" if count == 1 else f"{count} problems"
            return f"Preflight lists {what}: fix {'it' if count == 1 else 'them'} first"
        return ""


def _section_problems(pack: CompiledPack, data: LetterData) -> list[Problem]:
    problems: list[Problem] = []
    for key in PARAGRAPH_SECTIONS:
        if key not in pack.manifest.sections:
            continue
        raw = data.get(key)
        items = raw if isinstance(raw, list) else []
        if not any(str(p).strip() for p in items):
            if section(key).required:
                problems.append(Problem(key, f"the {section(key).label.lower()} section is empty"))
            continue
        for i, item in enumerate(items):
            if not str(item).strip():
                problems.append(Problem(f"{key}[{i}]", "empty paragraph: write it or remove it"))
    return problems


def check_letter(pack: CompiledPack, data: LetterData, *, render: bool = True,
                 images: Mapping[str, bytes] | None = None, standing: str | None = None,
                 quick: bool = False) -> Check:
    """Validate ``data`` against the letter contract and the pack, and render a fast preview;
    ``images``: the office's seal images, for a letter that pins one (``desk.seals``); ``standing``:
    the approved letter's line (``standing.approved_standing``), rendered without the DRAFT mark;
    ``quick``: leave the advice and the font check to ``complete_check`` (the preview after a key
    is shown before them)."""
    start = time.perf_counter()
    try:
        parsed = parse_letter(data)
    except LetterInvalid as exc:
        return Check(None, exc.problems + _section_problems(pack, data), millis=_since(start))
    letter = parsed.letter
    problems = pack.manifest.check_letter(letter) + _section_problems(pack, data)
    result = Check(letter, problems, list(parsed.removals), complete=False)
    if render:
        try:
            with RENDER_LOCK:
                rendered = pack.render(letter, draft=standing is None, images=images)
            result.docx = rendered.data
            result.preview = docx_preview(rendered.data, standing or "")
        except LetterInvalid as exc:  # the pinned seal is missing or not what its hash says
            result.problems.extend(exc.problems)
        except ChambersError as exc:
            result.problems.append(Problem("", str(exc)))
    result.millis = _since(start)
    return result if quick else complete_check(result)


def complete_check(check: Check) -> Check:
    """``check`` with what a quick check leaves for later: the name-line and salutation advice, and
    what the fonts can print (a character no font has would vanish from the PDF: an error, like any
    other preflight error)."""
    if check.complete or check.letter is None:
        return dataclasses.replace(check, complete=True)
    start = time.perf_counter()
    problems = list(check.problems)
    warnings: list[Problem] = []
    if check.docx is not None:
        printing = print_check(check.letter, check.docx)
        problems.extend(printing.errors)
        warnings = printing.warnings
    return dataclasses.replace(check, problems=problems, advice=letter_findings(check.letter),
                               print_warnings=warnings, complete=True, millis=check.millis + _since(start))


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def letter_text(library: TemplateLibrary, version: LetterVersion,
                images: Mapping[str, bytes] | None = None) -> list[str]:
    """The letter's paragraphs as the judge reads them on paper (the pack's own wording included)."""
    from app.rendering.seal import document_text

    letter = parse_letter(version.data).letter
    try:
        pack = library.get(version.template_id)
        with RENDER_LOCK:
            return document_text(pack.render(letter, draft=False, images=images).data)
    except (TemplateProblem, LetterInvalid):
        return [text for _path, text in iter_text(letter)]
