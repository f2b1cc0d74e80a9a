"""Where a template's blocks open and close, for the message when they do not pair up.

Jinja notices a block left open only at the end of the template, and a stray or mismatched end
tag only where it meets it, with the line of the patched XML: after docxtpl has removed the
paragraph of every ``{%p if %}`` and the row of every ``{%tr for %}``, that line is not even the
paragraph the tag was written in. A pack author needs the paragraph that *opens* the block left
open, and the tag as written. So when a part does not parse, its tags are walked again here,
over the text Word shows (one line per paragraph, so a line number is a paragraph number),
with Jinja's own lexer (strings, comments and ``{% raw %}`` are read as Jinja reads them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError

from app.rendering.package import MAX_FINDINGS_PER_PART, DocxFinding
from app.rendering.sandbox import MAX_TOKENS

BROKEN = "the template tags are broken: "
# Every block tag of Jinja's own grammar (no extension is loaded) and the tags allowed between
# its opening and its end. ``raw`` is the lexer's, seen here only through its errors.
_MIDDLES: dict[str, tuple[str, ...]] = {
    "for": ("else",), "if": ("elif", "else"), "with": (), "filter": (), "set": (), "macro": (),
    "call": (), "block": (), "autoescape": (), "raw": (),
}
_ALTERNATIVES = {"else": "{% if %} or {% for %}", "elif": "{% if %}"}
# docxtpl's structural forms (``{%p if %}``, ``{%tr for %}``, ``{%tc ...%}``, ``{%r ...%}``): the
# letter right after ``{%``, then a space, as docxtpl's own pattern demands.
_VARIANTS = frozenset({"p", "tr", "tc", "r"})
# docxtpl reads Word's typographic quotes inside tags as plain ones; the lexer must too. One
# character for one, so a position in the cleaned text is the same position in the paragraph.
_PLAIN = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\n": " ", "\r": " "})
_RAW_BEGIN = re.compile(r"\{%[-+]?\s*raw\s*[-+]?%\}")


@dataclass
class _Tag:
    paragraph: int
    text: str  # as written in the paragraph
    variant: str  # "", "p", "tr", "tc" or "r"
    name: str  # "for", "endfor", "else", ...


@dataclass
class _Open:
    tag: _Tag
    kind: str
    otherwise: _Tag | None = None  # its {% else %}, once met

    def end(self) -> str:
        return f"{{%{self.tag.variant} end{self.kind} %}}" if self.tag.variant else f"{{% end{self.kind} %}}"

    def shown(self) -> str:
        return f"{self.tag.text} of paragraph {self.tag.paragraph}"


def _block_kind(name: str, inner: list[tuple[str, str]]) -> str | None:
    """The block ``name`` opens, or None: ``{% set x = 1 %}`` opens nothing, ``{% set x %}`` does."""
    if name not in _MIDDLES:
        return None
    if name == "set" and any(kind == "operator" and value == "=" for kind, value in inner):
        return None
    return name


class _Walk:
    def __init__(self, part: str, paragraphs: list[str]) -> None:
        self.part = part
        self.paragraphs = paragraphs
        self.cleaned = [text.translate(_PLAIN) for text in paragraphs]
        self.cursor = [0] * len(paragraphs)  # where the next tag of each paragraph is looked for
        self.open: list[_Open] = []
        self.found: list[DocxFinding] = []

    def report(self, paragraph: int, message: str) -> None:
        text = self.paragraphs[paragraph] if 0 < paragraph < len(self.paragraphs) else ""
        self.found.append(DocxFinding(self.part, BROKEN + message, paragraph or None, text))

    def listed(self) -> list[DocxFinding]:
        """The findings in the order of the paragraphs, the first few only: a hostile part can
        leave thousands of blocks open."""
        found = sorted(self.found, key=lambda f: f.paragraph or 0)
        if len(found) <= MAX_FINDINGS_PER_PART:
            return found
        more = len(found) - MAX_FINDINGS_PER_PART
        return [*found[:MAX_FINDINGS_PER_PART],
                DocxFinding(self.part, f"{more:,} more problems like these are not listed")]

    def as_written(self, paragraph: int, rebuilt: str) -> str:
        """The tag as the paragraph has it (Word's quotes and all), found from the lexer's pieces."""
        if not 0 <= paragraph < len(self.cleaned):
            return rebuilt
        at = self.cleaned[paragraph].find(rebuilt, self.cursor[paragraph])
        if at < 0:
            return rebuilt
        self.cursor[paragraph] = at + len(rebuilt)
        return self.paragraphs[paragraph][at:at + len(rebuilt)]

    def tag(self, lineno: int, tokens: list[tuple[str, str]]) -> None:
        """One ``{% ... %}`` tag: ``tokens`` from its block_begin to its block_end, whitespace included."""
        paragraph = lineno - 1
        text = self.as_written(paragraph, "".join(value for _, value in tokens[:-1]) + tokens[-1][1].rstrip())
        inner = [t for t in tokens[1:-1] if t[0] != "whitespace"]
        variant = ""
        if (tokens[0][1] == "{%" and len(tokens) > 3 and tokens[1][0] == "name" and tokens[1][1] in _VARIANTS
                and tokens[2][0] == "whitespace" and tokens[3][0] == "name"):
            variant, inner = tokens[1][1], inner[1:]
        if not inner or inner[0][0] != "name":
            return
        name = inner[0][1]
        here = _Tag(paragraph, text, variant, name)
        kind = _block_kind(name, inner[1:])
        if kind is not None:
            self.open.append(_Open(here, kind))
        elif name.startswith("end") and name[3:] in _MIDDLES:
            self.close(here, name[3:])
        elif name in _ALTERNATIVES:
            self.alternative(here)

    def close(self, closer: _Tag, kind: str) -> None:
        depth = next((i for i in range(len(self.open) - 1, -1, -1) if self.open[i].kind == kind), None)
        if depth is None:
            if self.open:
                top = self.open[-1]
                self.report(closer.paragraph, f"{closer.text} closes no {{% {kind} %}}: the block open here is "
                                              f"{top.shown()}, which {top.end()} would close")
            else:
                self.report(closer.paragraph, f"{closer.text} closes nothing: no {{% {kind} %}} is open before it")
            return
        outer = self.open[depth]
        for inner in self.open[depth + 1:]:
            self.report(inner.tag.paragraph, f"{inner.tag.text} is never closed (no {inner.end()} before "
                                             f"{closer.text} in paragraph {closer.paragraph}, which closes "
                                             f"{outer.shown()})")
        del self.open[depth:]

    def alternative(self, tag: _Tag) -> None:
        """An ``{% else %}`` or ``{% elif %}``: it belongs directly inside an if (or a for)."""
        top = self.open[-1] if self.open else None
        if top is None:
            self.report(tag.paragraph, f"{tag.text} stands outside any {_ALTERNATIVES[tag.name]}")
        elif tag.name not in _MIDDLES[top.kind]:
            self.report(tag.paragraph, f"{tag.text} stands directly inside {top.shown()}, not inside "
                                       f"an {_ALTERNATIVES[tag.name]} (is that block closed?)")
        elif top.otherwise is not None:
            self.report(tag.paragraph, f"{tag.text} follows the {top.otherwise.text} of paragraph "
                                       f"{top.otherwise.paragraph} in {top.shown()}; only {top.end()} may")
        elif tag.name == "else":
            top.otherwise = tag

    def unclosed_raw(self, lineno: int) -> None:
        paragraph = lineno - 1
        match = _RAW_BEGIN.search(self.cleaned[paragraph]) if 0 <= paragraph < len(self.cleaned) else None
        text = self.paragraphs[paragraph][match.start():match.end()] if match else "{% raw %}"
        self.report(paragraph, f"{text} is never closed (no {{% endraw %}} after it)")


def block_problems(env: Environment, part: str, paragraphs: list[str]) -> list[DocxFinding]:
    """Every block of ``part`` left open, closed twice, closed by the wrong end tag or given a
    misplaced ``{% else %}``, each at the paragraph of the tag to fix (a block left open: the
    paragraph that opens it); empty when the blocks pair up or the tags cannot be read at all.

    ``paragraphs`` is the text of each paragraph, index 0 the text before the first one (as the
    package inspection gives it). Walks at most ``MAX_TOKENS`` tokens, like the parse it explains.
    """
    walk = _Walk(part, paragraphs)
    source = "\n".join(walk.cleaned)
    tokens: list[tuple[str, str]] = []
    begun = 0
    count = 0
    try:
        for lineno, kind, value in env.lexer.tokeniter(source, None):
            if kind != "whitespace":
                count += 1
                if count > MAX_TOKENS:
                    return []
            if kind == "block_begin":
                tokens, begun = [], lineno
            if tokens or kind == "block_begin":
                tokens.append((kind, value))
            if kind == "block_end":
                walk.tag(begun, tokens)
                tokens = []
    except TemplateSyntaxError as exc:
        if exc.lineno and "raw" in (exc.message or ""):
            walk.unclosed_raw(exc.lineno)
        return walk.listed()  # the rest cannot be read; Jinja's own message stands for it when empty
    for still in walk.open:
        walk.report(still.tag.paragraph, f"{still.tag.text} is never closed (no {still.end()} after it)")
    return walk.listed()


__all__ = ["block_problems"]
