"""The Jinja environment templates run in, and the check every template passes first.

Template packs may come from outside the court (a court's own pack in a folder), so the
template is treated as untrusted code:

* Jinja's ImmutableSandboxedEnvironment blocks attribute access to Python internals and
  any method that mutates data; autoescape is on, so a value can never inject Word XML.
* A static check (``check_template``) accepts only the small subset of Jinja a letter needs:
  output, ``if``, ``for`` over the letter's lists or a bounded ``range``, a fixed list of
  filters. Macros, ``set``, imports, includes and calls are refused before anything runs.
* At run time each render has a deadline and an output budget, and ``range``, ``*``, ``**``,
  ``%``, ``~``, every loop and every filter are bounded, so no template can hang the app or
  exhaust its memory. Sizes are counted *before* a value is built where the result could
  outgrow its inputs (``*``, ``~``, ``replace``, ``join``); checking afterwards is too late.
* Tags nested deeper than any letter needs are refused when parsed, since Jinja's parser and
  compiler recurse once per level and would otherwise fail with a ``RecursionError``; and a
  pack with more tags than any letter needs is refused before Jinja spends minutes on them.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import escape, soft_str

from app.rendering.context import CONTEXT_KEYS

#: Seconds a single part of a letter may take to render. A real letter takes well under 1 ms.
RENDER_SECONDS = 3.0
#: Characters a filter result or a string operation may produce.
MAX_STRING = 1_000_000
#: Iterations of ``range`` and of every ``for`` loop across one render.
MAX_RANGE_STEPS = 100_000
#: Levels of nested tags and expressions; a letter needs a handful.
MAX_DEPTH = 60
#: Tags (``{{ }}`` and ``{% %}``) in all the parts of one pack; the shipped packs have under 100.
#: Jinja takes about half a millisecond to parse and compile each, so this bounds a pack's
#: compile time to about a second, however many parts it has.
MAX_TAGS = 2_000
#: Filters the sandbox puts around every ``for`` loop's sequence and every ``~`` (see ``_Guard``).
LOOP_GUARD = "chambers_loop_guard"
CONCAT_GUARD = "chambers_concat_guard"

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


def _size(value: Any, limit: int = MAX_STRING) -> int:
    """About how many characters ``value`` prints as (strings, and lists and dicts of them).

    Counts shared items once per reference, as printing would; stops soon after ``limit``.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple):
            total += len(item) + 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
    return total


def _too_big(what: str) -> RenderLimitExceeded:
    return RenderLimitExceeded(f"{what} more text than a letter can hold")


def _replace_size(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: Any) -> int:
    """The length of ``s|replace(old, new, count)``, worked out as Jinja's filter prepares it."""
    if not eval_ctx.autoescape:
        text, old_text, new_text = str(s), str(old), str(new)
    else:
        if hasattr(old, "__html__") or (hasattr(new, "__html__") and not hasattr(s, "__html__")):
            text = escape(s)
        else:
            text = soft_str(s)
        if hasattr(text, "__html__"):  # Markup.replace escapes its arguments
            old_text, new_text = escape(old), escape(new)
        else:
            old_text, new_text = soft_str(old), soft_str(new)
    hits = text.count(old_text) if old_text else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(0, len(new_text) - len(old_text))


class _Steps:
    """The iterator ``range()`` returns; its steps are counted already, so loops do not recount."""

    def __init__(self, steps: Iterator[int]) -> None:
        self._steps = steps

    def __iter__(self) -> _Steps:
        return self

    def __next__(self) -> int:
        return next(self._steps)


class _Guard(NodeTransformer):
    """Puts a counting filter around each ``for`` loop's sequence and each ``~`` concatenation.

    Jinja compiles both to plain Python (a ``for`` statement, a string join) that no sandbox
    hook sees; without this, ``{% for a in subject %}{% for b in subject %}`` runs 400 million
    times and ``{{ subject ~ subject ~ ... }}`` builds gigabytes in one step.
    """

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, LOOP_GUARD, [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, CONCAT_GUARD, [], [], None, None, lineno=node.lineno)


def _deepest(ast: nodes.Node) -> tuple[int, int | None]:
    """How deep ``ast`` nests, and the line of its deepest node (walked without recursion)."""
    deepest, line = 0, None
    stack: list[tuple[nodes.Node, int]] = [(ast, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest, line = depth, getattr(node, "lineno", None)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest, line


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
        self.tags = 0  # tags in the parts checked so far (one environment serves one pack)
        self.globals.clear()
        self.globals["range"] = self._range
        builtin = self.filters
        self.filters = {name: self._capped(builtin[name]) for name in ALLOWED_FILTERS}
        self.filters["replace"] = self._capped(self._replace(builtin["replace"]))
        self.filters["join"] = self._capped(self._join(builtin["join"]))
        self.filters[LOOP_GUARD] = self._loop_guard
        self.filters[CONCAT_GUARD] = self._concat_guard

    def _capped(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` that checks the deadline, and refuses a result too large for a letter."""
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.budget.tick(0)
            result = fn(*args, **kwargs)
            if isinstance(result, str | list | tuple) and _size(result) > MAX_STRING:
                raise _too_big("a filter produced")
            return result
        if hasattr(fn, "jinja_pass_arg"):
            wrapper.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
        return wrapper

    @staticmethod
    def _replace(fn: Callable[..., Any]) -> Callable[..., Any]:
        @pass_eval_context
        def replace(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: Any = None) -> Any:
            if _replace_size(eval_ctx, s, old, new, count) > MAX_STRING:
                raise _too_big("replace would produce")
            return fn(eval_ctx, s, old, new, count)
        return replace

    def _join(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @pass_eval_context
        def join(eval_ctx: EvalContext, value: Iterable[Any], d: Any = "", attribute: Any = None) -> Any:
            items = list(value)
            separators = max(len(items) - 1, 0) * _size(soft_str(d))
            if separators + sum(_size(item) for item in items) > MAX_STRING:
                raise _too_big("join would produce")
            return fn(eval_ctx, items, d, attribute)
        return join

    def _loop_guard(self, seq: Any) -> Iterator[Any]:
        """Every ``for`` loop iterates through this: each step counts against the budget."""
        if isinstance(seq, _Steps):
            yield from seq
            return
        for item in seq:
            self.budget.tick()
            yield item

    @pass_eval_context
    def _concat_guard(self, eval_ctx: EvalContext, items: list[Any]) -> Any:
        if sum(_size(item) for item in items) > MAX_STRING:
            raise _too_big("joining with ~ would produce")
        return (markup_join if eval_ctx.autoescape else str_join)(items)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, refusing what Jinja itself cannot handle, then add the run-time guards."""
        try:
            ast = super()._parse(source, name, filename)
        except TemplateSyntaxError as exc:
            if exc.message and exc.message.startswith("Unexpected end of template"):
                # Jinja gives the last line; the clerk needs the line of the block left open.
                raise TemplateSyntaxError(exc.message, _unclosed_line(self, source) or exc.lineno,
                                          name, filename) from None
            raise
        except RecursionError:
            raise TemplateSyntaxError(f"the tags nest more than {MAX_DEPTH} levels deep",
                                      _nesting_line(self, source), name, filename) from None
        except ValueError as exc:  # a number with thousands of digits (int() refuses it)
            number = re.search(r"\d{1000,}", source)
            line = source.count("\n", 0, number.start()) + 1 if number else None
            raise TemplateSyntaxError(f"the template holds a value that cannot be read ({exc})",
                                      line or 1, name, filename) from None
        depth, line = _deepest(ast)
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(f"the tags nest more than {MAX_DEPTH} levels deep",
                                      line or 1, name, filename)
        guarded = _Guard().visit(ast)
        assert isinstance(guarded, nodes.Template)
        return guarded

    def parse(self, source: str, name: str | None = None, filename: str | None = None) -> nodes.Template:
        """Check a part of the pack: its tags count towards the pack's ``MAX_TAGS``.

        Every part is checked (parsed) once before it is compiled, so the count is per part,
        not per parse: the compile's own parse does not count again.
        """
        tags = [m.start() for m in re.finditer(r"\{[{%]", source)]
        self.tags += len(tags)
        if self.tags > MAX_TAGS:
            over = tags[max(0, len(tags) - (self.tags - MAX_TAGS))]
            raise TemplateSyntaxError(f"the template has {self.tags:,} tags; a letter needs far fewer "
                                      f"(at most {MAX_TAGS:,} are allowed)",
                                      source.count("\n", 0, over) + 1, name, filename)
        return super().parse(source, name, filename)

    def _range(self, *args: int) -> Iterator[int]:
        if not all(isinstance(a, int) for a in args):
            raise SecurityError("range() takes whole numbers only")
        steps = range(*args)
        if len(steps) > MAX_RANGE_STEPS:
            raise RenderLimitExceeded(f"range() of {len(steps):,} steps is too long")

        def counted() -> Iterator[int]:
            for i in steps:
                self.budget.tick()
                yield i
        return _Steps(counted())

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        self.budget.tick(0)
        if op == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not allowed in a template")
        if op == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise RenderLimitExceeded("a power in the template is too large")
        if op == "*":
            seq, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if isinstance(seq, str | list | tuple) and isinstance(count, int) \
                    and _size(seq) * count > MAX_STRING:
                raise RenderLimitExceeded("a repetition in the template is too large")
        result = {"*": operator.mul, "**": operator.pow, "%": operator.mod,
                  "+": operator.add}[op](left, right)
        if isinstance(result, str | list | tuple) and _size(result) > MAX_STRING:
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


def _nesting_line(env: LetterEnvironment, source: str) -> int:
    """The line where brackets, blocks or signs first nest past ``MAX_DEPTH``, for a parser
    that gave up; the lexer does not recurse, so it can walk what the parser could not."""
    depth = run = 0
    block_start = False
    try:
        for lineno, kind, value in env.lex(source):
            if kind == "whitespace":
                continue
            if value in ("(", "[", "{") or (block_start and value in ("if", "for")):
                depth += 1
            elif value in (")", "]", "}") or (block_start and value in ("endif", "endfor")):
                depth -= 1
            run = run + 1 if value in ("-", "+", "not") else 0
            block_start = kind == "block_begin"
            if depth > MAX_DEPTH or run > MAX_DEPTH:
                return lineno
    except (TemplateSyntaxError, ValueError):
        pass
    return 1


_BLOCKS = ("if", "for", "with", "block", "macro", "call", "filter", "autoescape", "raw")


def _unclosed_line(env: LetterEnvironment, source: str) -> int | None:
    """The line of the innermost ``{% if %}``, ``{% for %}``, ... that is never closed."""
    open_blocks: list[tuple[str, int]] = []
    block_start = False
    try:
        for lineno, kind, value in env.lex(source):
            if kind == "whitespace":
                continue
            if block_start and kind == "name":
                if value in _BLOCKS:
                    open_blocks.append((value, lineno))
                elif value.startswith("end") and open_blocks and open_blocks[-1][0] == value[3:]:
                    open_blocks.pop()
            block_start = kind == "block_begin"
    except (TemplateSyntaxError, ValueError):
        return None
    return open_blocks[-1][1] if open_blocks else None


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
        elif isinstance(node, nodes.Test) and node.name not in env.tests:
            findings.append(Finding(line, f"the template uses the test 'is {node.name}', which does not exist"))
        elif isinstance(node, nodes.Name) and node.ctx == "store" and node.name == "loop":
            findings.append(Finding(line, "the template names a loop variable 'loop', which Jinja reserves"))
        elif isinstance(node, nodes.Name) and node.ctx == "load" \
                and node.name not in CONTEXT_KEYS and node.name not in loop_names \
                and node.name != "range":
            findings.append(Finding(line, f"the template uses '{node.name}', which a letter does not provide"))
        elif field_names is not None and isinstance(node, nodes.Getattr) \
                and isinstance(node.node, nodes.Name) and node.node.name == "fields" \
                and node.attr not in field_names:
            findings.append(Finding(line, f"the template uses fields.{node.attr}, which the manifest does not declare"))
    return findings
