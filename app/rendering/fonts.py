"""Will the PDF print this letter in the pack's own font, and can it print every character?

LibreOffice makes the PDF with the fonts installed on this computer. When the font a pack
names is missing it quietly uses another: a metric-compatible one (Liberation Serif for Times
New Roman) keeps every line where Word puts it; any other face changes the line breaks, the
page count, even where the signature falls. And a character that no installed font has (an
emoji, CJK without a CJK font) is simply left out of the PDF. So before export, preflight asks
fontconfig, the library LibreOffice itself asks on Linux, what the PDF will really use.

fontconfig is asked through its command-line tools (``fc-match``, ``fc-list``), which come with
it; where they are absent (not Linux) nothing is claimed either way.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from dataclasses import dataclass, field

from lxml import etree

from app.core.errors import Problem
from app.core.letter import Letter
from app.core.vocabulary import SECTION_KEYS
from app.rendering.package import SAFE_PARSER, read_members

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Faces drawn to the same widths as the fonts Word documents name (the metric-compatible
# families LibreOffice and fontconfig substitute): a letter set in one breaks its lines exactly
# as in the other.
METRIC_COMPATIBLE: dict[str, frozenset[str]] = {
    "times new roman": frozenset({"liberation serif", "tinos"}),
    "arial": frozenset({"liberation sans", "arimo"}),
    "courier new": frozenset({"liberation mono", "cousine"}),
    "calibri": frozenset({"carlito"}),
    "cambria": frozenset({"caladea"}),
    "georgia": frozenset({"gelasio"}),
}
MAX_REPORTED = 12


@dataclass(frozen=True)
class FontReport:
    """What preflight says about printing: errors stop export, warnings are for the clerk to weigh."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def fonts_named(styles_xml: bytes) -> list[str]:
    """The font families a pack's styles name (document defaults first), without duplicates."""
    root = etree.fromstring(styles_xml, SAFE_PARSER)
    found: list[str] = []
    for fonts in root.iter(f"{W}rFonts"):
        for attribute in ("ascii", "hAnsi"):
            name = fonts.get(f"{W}{attribute}")
            if name and name not in found:
                found.append(name)
    return found


def _fc(*args: str) -> str | None:
    tool = shutil.which(args[0])
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, *args[1:]], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@functools.lru_cache(maxsize=32)
def resolved_family(requested: str) -> str | None:
    """The family fontconfig gives for ``requested`` (what LibreOffice will print with), or None."""
    out = _fc("fc-match", "-f", "%{family[0]}", requested)
    return out.strip() or None if out is not None else None


def _parse_charset(text: str) -> list[tuple[int, int]]:
    ranges = []
    for token in text.split():
        low, _, high = token.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    return ranges


@functools.lru_cache(maxsize=32)
def charset(family: str) -> tuple[tuple[int, int], ...] | None:
    """The code points ``family`` has glyphs for, as ranges; None when fontconfig cannot say."""
    out = _fc("fc-match", "-f", "%{charset}", family)
    return tuple(_parse_charset(out)) if out else None


@functools.lru_cache(maxsize=4096)
def any_font_has(code_point: int) -> bool | None:
    """Whether any installed font can draw ``code_point`` (LibreOffice falls back to it)."""
    out = _fc("fc-list", f":charset={code_point:x}", "family")
    return bool(out.strip()) if out is not None else None


def _covered(ranges: tuple[tuple[int, int], ...], code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in ranges)


def _letter_texts(letter: Letter) -> list[tuple[str, str]]:
    """(path, text) of every piece of the letter that prints."""
    texts: list[tuple[str, str]] = [("subject", letter.subject), ("reference", letter.reference or ""),
                                    ("sender.court", letter.sender.court), ("signatory.name", letter.signatory.name),
                                    ("signatory.title", letter.signatory.title),
                                    ("complimentary_close", letter.complimentary_close)]
    texts += [(f"sender.address[{i}]", line) for i, line in enumerate(letter.sender.address)]
    for i, person in enumerate(letter.addressees):
        for key, value in person.model_dump().items():
            if isinstance(value, str):
                texts.append((f"addressees[{i}].{key}", value))
            elif isinstance(value, list):
                texts += [(f"addressees[{i}].{key}[{j}]", v) for j, v in enumerate(value) if isinstance(v, str)]
    for section in SECTION_KEYS:
        texts += [(f"{section}[{i}]", text) for i, text in enumerate(getattr(letter, section))]
    texts += [(f"fields.{key}", value) for key, value in letter.fields.items() if isinstance(value, str)]
    return texts


# Held by a prefetch while it asks fontconfig; print_check waits for it rather than asking again.
_PREFETCHING = threading.Lock()


def prefetch(styles_xml: bytes | None) -> None:
    """Ask fontconfig now, on a thread of its own, what ``print_check`` will ask of a template's fonts.

    Each answer is a ``fc-match`` process (5-6 ms, 12 ms for the flagship's first check, on the path
    of the window's first preview); the thread mostly waits for those processes, so they run beside
    the window's own start-up on another core.
    """
    families = fonts_named(styles_xml) if styles_xml else []
    if not families:
        return

    def ask() -> None:
        with _PREFETCHING:
            for name in families:
                resolved_family(name)
            charset(families[0])

    threading.Thread(target=ask, name="fontconfig-prefetch", daemon=True).start()


def print_check(letter: Letter, docx: bytes) -> FontReport:
    """Font substitutions (warnings, naming the font) and characters no font can print (errors),
    for ``letter`` as rendered into ``docx``."""
    report = FontReport()
    styles_xml = read_members(docx, "the rendered letter").get("word/styles.xml")
    families = fonts_named(styles_xml) if styles_xml else []
    with _PREFETCHING:
        pass  # a prefetch under way has the answers in a moment
    primary = families[0] if families else None
    for name in families:
        got = resolved_family(name)
        if got is None:
            return report  # no fontconfig here: nothing can be said either way
        if got.lower() != name.lower() and got.lower() not in METRIC_COMPATIBLE.get(name.lower(), frozenset()):
            compatible = sorted(METRIC_COMPATIBLE.get(name.lower(), ()))
            hint = (f"; install {' or '.join(c.title() for c in compatible)} (metric-compatible) or {name}"
                    if compatible else f"; install {name}")
            report.warnings.append(Problem("", f"the template's font {name} is not installed, so the PDF "
                                               f"will use {got} and its lines and pages may break differently "
                                               f"from Word's{hint}"))
    ranges = charset(primary) if primary else None
    if ranges is None:
        return report
    # Each character is looked up once: a long letter repeats a few dozen characters thousands of times,
    # and the font's ranges are scanned one by one.
    seen: set[str] = set()
    for path, text in _letter_texts(letter):
        for char in dict.fromkeys(text):  # in the order written, so the first one is named first
            if char in seen:
                continue
            seen.add(char)
            code = ord(char)
            if code < 0x20 or _covered(ranges, code) or char in "\n\t":
                continue
            if any_font_has(code) is False:
                report.errors.append(Problem(path, f"“{char}” (U+{code:04X}) cannot be printed: no font on "
                                                   "this computer has it, so it would be missing from the PDF; "
                                                   "remove it or install a font that has it"))
                if len(report.errors) >= MAX_REPORTED:
                    return report
    return report
