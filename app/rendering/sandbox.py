"""The Jinja environment templates run in, and the check every template passes first.

Template packs may come from outside the court (a court's own pack in a folder), so the
template is treated as untrusted code:

* Jinja's ImmutableSandboxedEnvironment blocks attribute access to Python internals and
  any method that mutates data; autoescape is on, so a value can never inject Word XML.
* A static check (``check_template``) accepts only the small subset of Jinja a letter needs:
  output, ``if``, ``for`` over the letter's lists or a bounded ``range``, a fixed list of
  filters. Macros, ``set``, imports, includes and calls are refused before anything runs.
* At run time each render has a deadline and an output budget, and ``range``, ``*``, ``**``
  and ``%`` are bounded, so no template can hang the app or exhaust its memory.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.rendering.context import CONTEXT_KEYS

#: Seconds a single part of a letter may take to render. A real letter takes well under 1 ms.
RENDER_SECONDS = 3.0
#: Characters a filter result or a string operation may produce.
MAX_STRING = 1_000_000
#: Iterations of ``range`` across one render.
MAX_RANGE_STEPS = 100_000

ALLOWED_FILTERS = (
    "capitalize", "default", "d", "first", "last", "join", "length", "count", "lower",
    "upper", "title", "trim", "replace", "truncate", "wordcount", "escape", "e", "reverse",
    "sort", "unique", "int", "float", "round", "abs", "string", "min", "max", "list",
)
ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr,
    nodes.Getitem, nodes.If, nodes.For, nodes.Filter, nodes.Test, nodes.Compare,
    nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.CondExpr, nodes.Concat, nodes.Tuple,
    nodes.List, nodes.Slice, nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul,
    nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Call, nodes.Keyword,
)
_REFUSED_WORDS: dict[type[nodes.Node], str] = {
    nodes.Macro: "defines a macro", nodes.CallBlock: "uses a call block",
    nodes.Import: "imports another template", nodes.FromImport: "imports another template",
    nodes.Include: "includes another template", nodes.Extends: "extends another template",
    nodes.Assign: "assigns a variable with {% set %}", nodes.AssignBlock: "assigns a variable with {% set %}",
    nodes.Block: "defines a block", nodes.With: "uses {% with %}",
    nodes.FilterBlock: "uses a filter block", nodes.ExprStmt: "runs an expression statement",
    nodes.Scope: "opens a scope",
}


class RenderLimitExceeded(SecurityError):
    """A template ran too long or produced too much."""


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a template, at a line of the patched part (one paragraph a line)."""

    lineno: int | None
    message: str


class _Budget:
    """Deadline and step count for one render; reset before each part is rendered."""

    def __init__(self) -> None:
        self.deadline = float("inf")
        self.steps = 0

    def start(self, seconds: float = RENDER_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds
        self.steps = 0

    def tick(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > MAX_RANGE_STEPS:
            raise RenderLimitExceeded(f"the template loops more than {MAX_RANGE_STEPS:,} times")
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded("the template took too long to render (more than "
                                      f"{RENDER_SECONDS:g} seconds)")


def _capped(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        if isinstance(result, str | list | tuple) and len(result) > MAX_STRING:
            raise RenderLimitExceeded("a filter produced more text than a letter can hold")
        return result
    for attr in ("jinja_pass_arg",):
        if hasattr(fn, attr):
            setattr(wrapper, attr, getattr(fn, attr))
    return wrapper


class LetterEnvironment(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment with autoescape, StrictUndefined and resource bounds."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=True,
            undefined=StrictUndefined,
            finalize=lambda value: "" if value is None else value,
            keep_trailing_newline=True,
            extensions=(),
            cache_size=0,
        )
        self.budget = _Budget()
        self.globals.clear()
        self.globals["range"] = self._range
        self.filters = {name: _capped(self.filters[name]) for name in ALLOWED_FILTERS}

    def _range(self, *args: int) -> Iterator[int]:
        if not all(isinstance(a, int) for a in args):
            raise SecurityError("range() takes whole numbers only")
        steps = range(*args)
        if len(steps) > MAX_RANGE_STEPS:
            raise RenderLimitExceeded(f"range() of {len(steps):,} steps is too long")
        for i in steps:
            self.budget.tick()
            yield i

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        self.budget.tick(0)
        if op == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not allowed in a template")
        if op == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise RenderLimitExceeded("a power in the template is too large")
        if op == "*":
            seq, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if isinstance(seq, str | list | tuple) and isinstance(count, int) \
                    and len(seq) * count > MAX_STRING:
                raise RenderLimitExceeded("a repetition in the template is too large")
        result = {"*": operator.mul, "**": operator.pow, "%": operator.mod,
                  "+": operator.add}[op](left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_STRING:
            raise RenderLimitExceeded("the template built a value too large for a letter")
        if isinstance(result, int) and result.bit_length() > 256:
            raise RenderLimitExceeded("the template computed a number too large")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.tick(0)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.tick(0)
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.tick(0)
        return super().call(__context, __obj, *args, **kwargs)


def check_template(env: LetterEnvironment, ast: nodes.Template,
                   field_names: frozenset[str] | None) -> list[Finding]:
    """Statically refuse what a letter template has no business doing.

    ``field_names`` are the manifest's fields; ``fields.x`` for any other ``x`` is a finding.
    """
    findings: list[Finding] = []
    loop_names: set[str] = {"loop"}
    for loop in ast.find_all(nodes.For):
        targets = [loop.target, *loop.target.find_all(nodes.Name)]
        loop_names.update(t.name for t in targets if isinstance(t, nodes.Name))

    for node in ast.find_all(nodes.Node):
        line = getattr(node, "lineno", None)
        if not isinstance(node, ALLOWED_NODES):
            words = _REFUSED_WORDS.get(type(node), f"uses {type(node).__name__}, which letters do not need")
            findings.append(Finding(line, f"the template {words}; that is not allowed"))
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            findings.append(Finding(line, f"the template reaches into Python internals ({node.attr}); refused"))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            findings.append(Finding(line, f"the template reaches into Python internals ({node.arg.value}); refused"))
        elif isinstance(node, nodes.Call) and not (
            isinstance(node.node, nodes.Name) and node.node.name == "range"
        ):
            findings.append(Finding(line, "the template calls a function or method; only range() is allowed"))
        elif isinstance(node, nodes.Filter) and node.name not in env.filters:
            findings.append(Finding(line, f"the template uses the filter '{node.name}', which is not allowed"))
        elif isinstance(node, nodes.Name) and node.ctx == "load" \
                and node.name not in CONTEXT_KEYS and node.name not in loop_names \
                and node.name != "range":
            findings.append(Finding(line, f"the template uses '{node.name}', which a letter does not provide"))
        elif field_names is not None and isinstance(node, nodes.Getattr) \
                and isinstance(node.node, nodes.Name) and node.node.name == "fields" \
                and node.attr not in field_names:
            findings.append(Finding(line, f"the template uses fields.{node.attr}, which the manifest does not declare"))
    return findings
