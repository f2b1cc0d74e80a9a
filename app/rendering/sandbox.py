"""The Jinja environment templates run in, and the check every template passes first.

Template packs may come from outside the court (a court's own pack in a folder), so the
template is treated as untrusted code:

* What a template may call is decided at run time, on the object itself, never on the name
  the template gave it: ``LetterEnvironment.call`` runs only the environment's own bounded
  ``range`` (the very bound method) and a few plain ``str`` methods (checked by the exact
  type of the string and the method's own definition), and refuses everything else with a
  ``SecurityError``. Attribute access refuses Python internals, mutating methods and any
  callable outside that allow-list, so ``subject.format`` is refused where it is reached,
  whatever a loop variable holding it is called.
* A static check (``check_template``) is the first line: it accepts only the small subset of
  Jinja a letter needs (output, ``if``, ``for`` over the letter's lists or ``range``, a fixed
  list of filters), refuses macros, ``set``, imports, includes and calls other than
  ``range()``, and refuses any name a template binds (loop targets, ``set``, macro
  arguments, ``with``) that shadows a global, a filter, a test or a value of the letter.
  Safety does not rest on it: the run-time checks above hold with it bypassed.
* At run time every limit is *counted*, never timed, so a verdict depends on the template and
  the letter alone, however busy the machine: ``range``, every arithmetic operator, ``~``,
  every loop and every filter are bounded; each pass of a loop costs the nodes of its body
  (``MAX_STEPS``, the work one pass may do) and each value the sandbox sees built counts
  against ``MAX_BUILT``; a pack's tags may hold ``MAX_TOKENS`` tokens in all, counted before
  Jinja parses them (its parser and compiler take seconds for one flat tag of 400,000 items).
  So no template can hang the app or exhaust its memory. A wall clock (``WALL_SECONDS``) is
  only the last resort for a machine too busy to finish work the counts allow: it raises
  ``MachineTooBusy``, which says so and never calls the template unsound. Sizes are counted
  *before* a value is built where the result could outgrow its inputs (``*``, ``~``,
  ``replace``, ``join``); checking afterwards is too late. Everything a render builds
  (filter results, operator results, slices) also counts against one budget for the whole
  letter (``MAX_BUILT``), so a list of a thousand megabyte-long values, each within the
  limit, is refused long before it exists.
* Tags nested deeper than any letter needs are refused when parsed, since Jinja's parser and
  compiler recurse once per level and would otherwise fail with a ``RecursionError``; and a
  pack with more tags than any letter needs is refused before Jinja spends minutes on them.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from types import BuiltinMethodType, MethodType, ModuleType
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Undefined, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import escape, soft_str

from app.core.errors import ChambersError
from app.rendering.context import CONTEXT_KEYS

#: Work one render may do, counted in steps: each pass of a ``for`` loop costs the nodes of
#: its body, each call, attribute, item, operator and filter the sandbox sees costs one. The
#: shipped packs spend at most 12,000 on a letter at the limits of the data contract, forty
#: times fewer; half a million take about a second on a quiet machine, whatever the steps are.
MAX_STEPS = 500_000
#: Seconds on the wall clock after which a render is given up because the machine is too busy,
#: never because of the template: the counted limits above end a template's work long before.
WALL_SECONDS = 30.0
#: Steps between looks at the wall clock: four times what the shipped packs spend on a letter
#: at every limit, so a real letter's render never looks at it after the start, and no load
#: can stop it; only a render doing far more work than a letter needs can meet the clock.
CLOCK_EVERY = 50_000
#: Characters a filter result or a string operation may produce.
MAX_STRING = 1_000_000
#: Iterations of ``range`` and of every ``for`` loop across one render.
MAX_RANGE_STEPS = 100_000
#: Characters a render may build in values it computes along the way (filter and operator
#: results, slices), whatever becomes of them; a container counts ``ITEM_COST`` an item.
#: A pack may pass every word of the letter (at most ``MAX_LETTER_TEXT``) through filters many
#: times over; the shipped packs build about 20,000 characters for a letter at the limits.
#: Building is copying, cheap next to the steps that ask for it, so this bounds memory churn.
MAX_BUILT = 40_000_000
ITEM_COST = 64
#: Characters a list, tuple or dict written in a template may hold, counting a value once for
#: each place it is held: what sorting, comparing or searching it can cost (a list of
#: references to one long value costs nothing to build and a copy of it to compare).
MAX_HELD = 64_000_000
#: Items a filter may gather into a list (``list``, ``sort``, ``unique``, ``join``, ...).
MAX_ITEMS = 100_000
#: Bits in a whole number a template computes; a letter counts paragraphs, not atoms.
MAX_INT_BITS = 256
#: Levels of nested tags and expressions; a letter needs a handful.
MAX_DEPTH = 60
#: Tokens (names, numbers, operators, text between tags) in all the parts of one pack,
#: counted before they are parsed: the shipped packs have under 700. Jinja parses and compiles
#: about 100,000 a second, so this bounds a pack's compile time to under half a second.
MAX_TOKENS = 40_000
#: Tags (``{{ }}`` and ``{% %}``) in all the parts of one pack; the shipped packs have under 100.
#: Jinja takes about half a millisecond to parse and compile each, so this bounds a pack's
#: compile time to about a second, however many parts it has.
MAX_TAGS = 2_000
#: Filters the sandbox puts around every ``for`` loop's sequence and every ``~`` (see ``_Guard``).
LOOP_GUARD = "chambers_loop_guard"
CONCAT_GUARD = "chambers_concat_guard"
SLICE_GUARD = "chambers_slice_guard"
HELD_GUARD = "chambers_held_guard"

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
#: Plain ``str`` methods a template may call, with how many arguments each takes (each a str).
#: None of them produces more than a few times its input, and none takes a size or a pattern.
STR_METHODS: dict[str, int] = {
    "upper": 0, "lower": 0, "title": 0, "capitalize": 0, "strip": 0, "lstrip": 0, "rstrip": 0,
    "startswith": 1, "endswith": 1,
}
#: Names Jinja gives meaning to inside a template; a template may not bind them either.
RESERVED_NAMES = frozenset({"loop", "self", "caller", "varargs", "kwargs", "super"})
#: Filters that gather their input into a list before anything else happens.
_GATHERING_FILTERS = frozenset({"list", "sort", "unique", "min", "max", "reverse"})
#: Filters that compare (lower-cased copies of) the items of their input.
_COMPARING_FILTERS = frozenset({"sort", "unique", "min", "max"})
#: Filters that turn their input into text first: a list given to them is printed whole.
_PRINTING_FILTERS = frozenset({"capitalize", "lower", "upper", "title", "trim", "replace",
                               "truncate", "wordcount", "escape", "e", "string"})
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}
_UNOPS: dict[str, Callable[[Any], Any]] = {"+": operator.pos, "-": operator.neg}
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
    """A template did more work or produced more than a letter needs (a counted limit)."""


class MachineTooBusy(ChambersError):
    """The wall clock ran out before any counted limit did: the machine was too busy to finish.

    Not a ``TemplateProblem``: it says nothing about the template, so a check that meets it
    gives no verdict and a render that meets it may simply be tried again.
    """


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a template, at a line of the patched part (one paragraph a line)."""

    lineno: int | None
    message: str


class _Budget:
    """Loop passes, steps of work and built characters for one render; reset before each letter.

    The wall clock is read at the start and then once every ``CLOCK_EVERY`` steps, only to
    give up on a machine too busy to finish: no verdict on a template rests on it.
    """

    def __init__(self) -> None:
        self.seconds = WALL_SECONDS
        self.deadline = float("inf")
        self.passes = 0
        self.steps = 0
        self.built = 0
        self._next_look = CLOCK_EVERY

    def start(self, seconds: float = WALL_SECONDS) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.passes = 0
        self.steps = 0
        self.built = 0
        self._next_look = CLOCK_EVERY

    def mark(self) -> tuple[int, int, int, int]:
        """Where the counts stand, for ``rewind`` (a render tried one way and then another)."""
        return self.passes, self.steps, self.built, self._next_look

    def rewind(self, mark: tuple[int, int, int, int]) -> None:
        self.passes, self.steps, self.built, self._next_look = mark

    def charge(self, passes: int, steps: int, built: int) -> None:
        """Count work done earlier on the very same values (output reused, not rendered again),
        so a letter is held to the same limits whichever way its text was produced."""
        self.tick(passes, steps)
        self.build(None, built)

    def build(self, value: Any, cost: int | None = None) -> None:
        """Count ``value`` (just computed) against what one render may build."""
        self.built += _cost(value) if cost is None else cost
        if self.built > MAX_BUILT:
            raise RenderLimitExceeded(f"the template builds more than {MAX_BUILT:,} characters "
                                      "of text along the way; a letter needs far less")

    def tick(self, passes: int = 1, steps: int = 1) -> None:
        """Count ``passes`` of a loop (or of ``range``) and ``steps`` of work."""
        self.passes += passes
        self.steps += steps
        if self.passes > MAX_RANGE_STEPS:
            raise RenderLimitExceeded(f"the template loops more than {MAX_RANGE_STEPS:,} times")
        if self.steps > MAX_STEPS:
            raise RenderLimitExceeded(f"the template does more than {MAX_STEPS:,} steps of work; "
                                      "a letter needs far fewer (a loop's every pass costs what its body does)")
        if self.steps >= self._next_look:
            self._next_look = self.steps + CLOCK_EVERY
            if time.monotonic() > self.deadline:
                raise MachineTooBusy(f"the machine was too busy to finish rendering the letter within "
                                     f"{self.seconds:g} seconds (the template was within every limit "
                                     f"when it stopped, after {self.steps:,} steps); try again when "
                                     "the machine is less busy")


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


def _cost(value: Any) -> int:
    """What building ``value`` cost: its characters, or ``ITEM_COST`` an item of a container.

    A container holds references to values counted when they were built, so only its own
    slots count here; a string is new memory of its own length.
    """
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple | dict):
        return ITEM_COST * (len(value) + 1)
    return 0


def _check_result(value: Any, what: str) -> None:
    """Refuse a value no letter needs: too much text, a list too long or holding too much, or
    a number too large to print. A list holds references, so it may hold more than one piece
    of text may be long (the letter's own lists do); printing it is checked when it is printed.
    """
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise _too_big(what)
    if isinstance(value, list | tuple) and (len(value) > MAX_ITEMS or _size(value, MAX_HELD) > MAX_HELD):
        raise _too_big(what)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimitExceeded("the template computed a number too large")


def _describe(obj: Any) -> str:
    """What a template tried to call, in words (never the template's own name for it)."""
    if isinstance(obj, MethodType | BuiltinMethodType):
        owner = obj.__self__
        if owner is not None and not isinstance(owner, ModuleType):
            return f"the {obj.__name__}() method of a {type(owner).__name__} value"
        return f"the function {obj.__name__}()"
    if isinstance(obj, str | int | float | list | dict | tuple | bool):
        return f"a {type(obj).__name__} value, which is not a function"
    return f"a {type(obj).__name__} object"


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
    """Puts a counting filter around each ``for`` loop's sequence, each ``~`` concatenation and
    each slice.

    Jinja compiles these to plain Python (a ``for`` statement, a string join, ``x[a:b]``) that
    no sandbox hook sees; without this, ``{% for a in subject %}{% for b in subject %}`` runs
    400 million times, ``{{ subject ~ subject ~ ... }}`` builds gigabytes in one step, and a
    list of a thousand slices of the subject holds twenty million characters.
    """

    def _held(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, HELD_GUARD, [], [], None, None, lineno=node.lineno)

    def visit_List(self, node: nodes.List) -> nodes.Node:
        return self._held(node)

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        return self._held(node)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        if node.ctx != "load":  # a loop target such as ``for a, b in ...``
            return self.generic_visit(node)
        return self._held(node)

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)
        if not isinstance(node.arg, nodes.Slice):
            return node
        bounds = [part if part is not None else nodes.Const(None, lineno=node.lineno)
                  for part in (node.arg.start, node.arg.stop, node.arg.step)]
        return nodes.Filter(node.node, SLICE_GUARD, bounds, [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        # What one pass can evaluate: every node of the body, the else branch and the filter
        # (``for x in xs if test``), nested loops' bodies included once (their passes count again).
        parts = [*node.body, *node.else_, *([node.test] if node.test else [])]
        weight = 1 + sum(1 + sum(1 for _ in part.find_all(nodes.Node)) for part in parts)
        node.iter = nodes.Filter(node.iter, LOOP_GUARD, [nodes.Const(weight, lineno=node.iter.lineno)], [],
                                 None, None, lineno=node.iter.lineno)
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

    intercepted_binops = frozenset(_BINOPS)
    intercepted_unops = frozenset(_UNOPS)

    def __init__(self) -> None:
        super().__init__(
            autoescape=True,
            undefined=StrictUndefined,
            finalize=self._printable,
            keep_trailing_newline=True,
            extensions=(),
            cache_size=0,
        )
        self.budget = _Budget()
        self.tags = 0  # tags in the parts checked so far (one environment serves one pack)
        self.tokens = 0  # and the tokens in them
        self.globals.clear()
        self.globals["range"] = self._range
        builtin = self.filters
        self.filters = {name: self._capped(builtin[name], name) for name in ALLOWED_FILTERS}
        self.filters["replace"] = self._capped(self._replace(builtin["replace"]), "replace")
        self.filters["join"] = self._capped(self._join(builtin["join"]), "join")
        self.filters[LOOP_GUARD] = self._loop_guard
        self.filters[CONCAT_GUARD] = self._concat_guard
        self.filters[SLICE_GUARD] = self._slice_guard
        self.filters[HELD_GUARD] = self._held_guard

    def _capped(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        """The filter ``name`` (``fn``) checking the deadline, refusing a result too large for a
        letter and counting what it built; one that gathers its input into a list, or prints
        it as text, refuses a huge input before it starts (the input follows the eval context
        or the environment, for filters given one)."""
        passed = getattr(fn, "jinja_pass_arg", None)
        gathers, prints = name in _GATHERING_FILTERS, name in _PRINTING_FILTERS

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.budget.tick(0)
            value = args[1 if passed else 0] if len(args) > (1 if passed else 0) else None
            if gathers and isinstance(value, Sized) and len(value) > MAX_ITEMS:
                raise RenderLimitExceeded(f"a filter would gather more than {MAX_ITEMS:,} items "
                                          "into a list")
            if name in _COMPARING_FILTERS and _size(value, MAX_BUILT) > MAX_BUILT:
                # they compare lower-cased copies of every item: the copies cost what the items hold
                raise _too_big(f"{name} would compare")
            if prints and isinstance(value, list | tuple | dict) and _size(value) > MAX_STRING:
                raise _too_big("a filter would turn a list into")
            result = fn(*args, **kwargs)
            _check_result(result, "a filter produced")
            self.budget.build(result)
            return result
        if hasattr(fn, "jinja_pass_arg"):
            wrapper.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
        return wrapper

    @staticmethod
    def _replace(fn: Callable[..., Any]) -> Callable[..., Any]:
        @pass_eval_context
        def replace(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: Any = None) -> Any:
            if any(isinstance(v, list | tuple | dict) and _size(v) > MAX_STRING for v in (s, old, new)):
                raise _too_big("replace would turn a list into")
            if _replace_size(eval_ctx, s, old, new, count) > MAX_STRING:
                raise _too_big("replace would produce")
            return fn(eval_ctx, s, old, new, count)
        return replace

    def _join(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @pass_eval_context
        def join(eval_ctx: EvalContext, value: Iterable[Any], d: Any = "", attribute: Any = None) -> Any:
            if isinstance(value, Sized) and len(value) > MAX_ITEMS:
                raise RenderLimitExceeded(f"join would gather more than {MAX_ITEMS:,} items")
            items = list(value)
            separators = max(len(items) - 1, 0) * _size(d)  # sized before it is made text
            if separators + sum(_size(item) for item in items) > MAX_STRING:
                raise _too_big("join would produce")
            return fn(eval_ctx, items, d, attribute)
        return join

    def _loop_guard(self, seq: Any, weight: int = 1) -> Iterator[Any]:
        """Every ``for`` loop iterates through this: each pass counts against the budget, with
        ``weight`` steps of work (what the loop's body holds; see ``_Guard.visit_For``)."""
        if isinstance(seq, _Steps):  # range() has counted the pass; the body's work is counted here
            for item in seq:
                self.budget.tick(0, weight)
                yield item
            return
        for item in seq:
            self.budget.tick(1, weight)
            yield item

    def _printable(self, value: Any) -> Any:
        """Every ``{{ }}`` prints through this: a list is refused before it is turned into text
        (a list of a thousand references to one long value prints a thousand copies)."""
        if type(value) is str:  # nearly everything a letter prints: checked first, for speed
            return value
        if value is None:
            return ""
        if isinstance(value, list | tuple | dict) and _size(value) > MAX_STRING:
            raise _too_big("printing this list would produce")
        if callable(value) and not isinstance(value, Undefined):
            # a function prints as its memory address: nothing a letter says, something an
            # attacker probing the process would like to read
            raise SecurityError("the template prints a function instead of a value; "
                                "refer to the value itself")
        return value

    def _held_guard(self, value: Any) -> Any:
        """Every list, tuple and dict the template writes is built through this."""
        self.budget.tick(0)
        if _size(value, MAX_HELD) > MAX_HELD:
            raise RenderLimitExceeded(f"a list in the template holds more than {MAX_HELD:,} characters "
                                      "of text; a letter needs far less")
        self.budget.build(value)
        return value

    def _slice_guard(self, value: Any, start: Any, stop: Any, step: Any) -> Any:
        """Every ``x[a:b:c]`` goes through this: the slice counts against the build budget."""
        self.budget.tick(0)
        result = value[slice(start, stop, step)]
        self.budget.build(result)
        return result

    @pass_eval_context
    def _concat_guard(self, eval_ctx: EvalContext, items: list[Any]) -> Any:
        if sum(_size(item) for item in items) > MAX_STRING:
            raise _too_big("joining with ~ would produce")
        joined = (markup_join if eval_ctx.autoescape else str_join)(items)
        self.budget.build(joined)
        return joined

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
        """Check a part of the pack: its tags count towards the pack's ``MAX_TAGS`` and their
        tokens towards ``MAX_TOKENS``, both before Jinja parses the part.

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
        self._count_tokens(source, name, filename)
        return super().parse(source, name, filename)

    def parse_again(self, source: str) -> nodes.Template:
        """The tree of a part ``parse`` has checked already (its tags and tokens counted once)."""
        return self._parse(source, None, None)

    def _count_tokens(self, source: str, name: str | None, filename: str | None) -> None:
        """Count the part's tokens against the pack's ``MAX_TOKENS``, stopping at the first one
        past it: lexing is linear and stops there, where parsing and compiling would not."""
        over: int | None = None
        try:
            for lineno, kind, _value in self.lexer.tokeniter(source, name, filename):
                if kind != "whitespace":
                    self.tokens += 1
                    if self.tokens > MAX_TOKENS:
                        over = lineno
                        break
        except TemplateSyntaxError:
            return  # broken tags: the parse that follows reports them in its own words
        if over is None:
            return
        raise TemplateSyntaxError(f"the template's tags hold more than {MAX_TOKENS:,} names, numbers, "
                                  "operators and pieces of text; a letter needs far fewer (one tag listing "
                                  "thousands of items is refused before it is compiled)", over, name, filename)

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
            if isinstance(seq, str) and isinstance(count, int) and len(seq) * count > MAX_STRING:
                raise RenderLimitExceeded("a repetition in the template is too large")
            if isinstance(seq, list | tuple) and isinstance(count, int) \
                    and (len(seq) * count > MAX_ITEMS or _size(seq, MAX_HELD) * count > MAX_HELD):
                raise RenderLimitExceeded("a repetition in the template is too large")
        result = _BINOPS[op](left, right)
        _check_result(result, "the template built a value with")
        self.budget.build(result)
        return result

    def call_unop(self, context: Context, op: str, arg: Any) -> Any:
        self.budget.tick(0)
        result = _UNOPS[op](arg)
        _check_result(result, "the template built")
        return result

    def may_call(self, obj: Any) -> bool:
        """Whether a template may call ``obj``: decided on the object, never on its name.

        Only this environment's own ``range`` (the bound method itself, on this very
        environment) and the methods in ``STR_METHODS`` bound to a plain ``str`` qualify. A
        builtin method compares equal to another only when both are bound to the same object
        and come from the same C definition, so ``getattr(owner, name)`` on a ``str`` proves
        what ``obj`` is, whatever the template called it or wherever it found it.
        """
        kind = type(obj)
        if kind is MethodType:
            return obj.__func__ is LetterEnvironment._range and obj.__self__ is self
        if kind is BuiltinMethodType:
            owner = obj.__self__
            name = obj.__name__
            return type(owner) is str and name in STR_METHODS and obj == getattr(owner, name)
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return self.may_call(obj)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Internals, mutating methods and any callable a template may not call are refused
        where they are reached, so no name the template gives them can carry them further."""
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not callable(value) or self.may_call(value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """What a refused attribute becomes: using it in any way fails with this message."""
        return self.undefined(f"the template uses '{attribute}' of a {type(obj).__name__} value, which a "
                              "template may not use: Python internals, functions and methods are unsafe "
                              "in a letter",
                              name=attribute, obj=obj, exc=SecurityError)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.tick(0)
        # The letter's values are plain dicts: a key wins over a dict method of the same
        # name, so a pack field called "items" or "values" means the field.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        # Jinja's own getattr hands out a sandboxed str.format before asking whether the
        # attribute is safe; here nothing is handed out that a template may not call.
        if self.is_safe_attribute(obj, attribute, value):
            if callable(value):  # a bound method is a new object each time it is reached
                self.budget.build(value, ITEM_COST)
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.tick(0)
        try:
            value = obj[argument]
        except (TypeError, LookupError):
            if isinstance(argument, str):
                return self.getattr(obj, argument)
            return self.undefined(obj=obj, name=str(argument))
        if isinstance(argument, slice):
            self.budget.build(value)
        return value

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.tick(0)
        # Jinja's compiled code passes its own loop and block variables inside loops and blocks
        # (Context.call drops them); they are not the template's arguments.
        kwargs.pop("_loop_vars", None)
        kwargs.pop("_block_vars", None)
        if isinstance(__obj, Undefined):  # its own error says what was missing or unsafe
            __obj._fail_with_undefined_error()
        if not __self.may_call(__obj):
            raise SecurityError(f"the template calls {_describe(__obj)}; a template may call "
                                "range() and nothing else")
        if type(__obj) is BuiltinMethodType:
            arity = STR_METHODS[__obj.__name__]
            if kwargs or len(args) > arity or not all(type(a) is str for a in args):
                raise SecurityError(f"{__obj.__name__}() takes at most {arity} piece(s) of text "
                                    "in a template")
        result = __obj(*args, **kwargs)
        if type(__obj) is BuiltinMethodType:
            _check_result(result, f"{__obj.__name__}() produced")
            __self.budget.build(result)
        return result


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


def _taken_names(env: LetterEnvironment) -> dict[str, str]:
    """Names a template may not bind, each with what it already means.

    A name bound over one of these would make ``range(...)`` or ``subject`` mean something
    else in the rest of the template than what the static check assumed it means.
    """
    taken = {name: "a name Jinja reserves" for name in RESERVED_NAMES}
    taken.update((name, f"the name of the test 'is {name}'") for name in env.tests)
    taken.update((name, f"the name of the filter '{name}'") for name in env.filters)
    taken.update((name, f"the name of the function {name}()") for name in env.globals)
    taken.update((name, f"the name of the letter's '{name}'") for name in CONTEXT_KEYS)
    return taken


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
    taken = _taken_names(env)

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
        elif isinstance(node, nodes.Name) and node.ctx in ("store", "param") and node.name in taken:
            findings.append(Finding(line, f"the template names a variable '{node.name}', which is already "
                                          f"{taken[node.name]}; choose another name"))
        elif isinstance(node, nodes.Name) and node.ctx == "load" \
                and node.name not in CONTEXT_KEYS and node.name not in loop_names \
                and node.name != "range":
            findings.append(Finding(line, f"the template uses '{node.name}', which a letter does not provide"))
        elif field_names is not None and isinstance(node, nodes.Getattr) \
                and isinstance(node.node, nodes.Name) and node.node.name == "fields" \
                and node.attr not in field_names:
            findings.append(Finding(line, f"the template uses fields.{node.attr}, which the manifest does not declare"))
    return findings
