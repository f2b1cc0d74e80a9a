"""Trial renders: what ``templates check`` renders before it calls a pack sound.

The static checks see the template; only rendering sees what the template does with a letter.
So a pack is sound only when the letters it will meet render: its sample (or a small letter)
as a draft and final with a signature, and the letters at every size limit of the data contract
(``app.core.stress``) final and signed, each through the very ``CompiledPack.render`` (deadline, step, build and
output budgets) a clerk's letter goes through. Check and render cannot disagree on these.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from app.core.errors import LetterInvalid, TemplateProblem
from app.core.letter import Letter, parse_letter
from app.core.packs import Manifest
from app.core.stress import STRESS_SEAL, small_letter, stress_letters, stress_seal_png
from app.rendering.engine import CompiledPack
from app.rendering.sandbox import WALL_SECONDS, MachineTooBusy

#: The largest sample.json read; a sample is one letter, at most a few hundred kilobytes.
MAX_SAMPLE_BYTES = 8 * 1024 * 1024


def _read_sample(folder: Path, pack_id: str) -> tuple[Letter | None, list[str]]:
    """The pack's sample letter, if it has one, or why it cannot be used.

    Read as a pack file must be: a regular file in the pack folder (never a link, a FIFO or
    a device), its size checked before a byte is read; a bad sample is named, never quoted.
    """
    path = folder / "sample.json"
    where = f"template {pack_id}: sample.json"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [f"{where} cannot be read (it must be a plain file in the pack folder: "
                      f"{exc.strerror or exc})"]
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, [f"{where} is not a plain file"]
        if info.st_size > MAX_SAMPLE_BYTES:
            return None, [f"{where} is larger than {MAX_SAMPLE_BYTES >> 20} MB"]
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(MAX_SAMPLE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_SAMPLE_BYTES:
        return None, [f"{where} is larger than {MAX_SAMPLE_BYTES >> 20} MB"]
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
        return None, [f"{where} is not valid letter JSON ({reason})"]
    try:
        return parse_letter(data).letter, []
    except LetterInvalid as exc:
        return None, [f"{where} is not a valid letter: {problem}" for problem in exc.problems]


def _trial_signature() -> bytes:
    """A one-pixel PNG standing in for a judge's signature in trial renders."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def trial_render(pack: CompiledPack, folder: Path) -> list[str]:
    """Render the pack's sample letter and the stress letter as real renders would.

    The same ``CompiledPack.render`` (and so the same deadline, step, build and output
    budgets) a clerk's letter goes through, both ways a letter is rendered: as a draft, and
    final with the judge's signature. The sample (or, for a pack without one, a small letter)
    is rendered both ways; the letter at every size limit final and signed, as the longest
    approved letter would be. A pack is sound only if every render succeeds. The first failure
    is reported, with the letter that found it; later renders would only repeat it. A render
    that only the wall clock stopped raises ``MachineTooBusy``: no verdict.
    """
    sample, findings = _read_sample(folder, pack.id)
    trials: list[tuple[str, Callable[[Manifest], Letter | tuple[Letter, ...]] | Letter, bool]] = []
    if sample is not None:
        trials += [("the pack's sample letter", sample, True), ("the pack's sample letter", sample, False)]
    elif not findings:
        trials += [("a small letter", small_letter, True), ("a small letter", small_letter, False)]
    trials.append(("a letter at every size limit", stress_letters, False))
    for what, make, draft in trials:
        kind = "a draft" if draft else "a final, signed letter"
        try:
            made = make if isinstance(make, Letter) else make(pack.manifest)
            for letter in (made,) if isinstance(made, Letter) else made:
                pack.render(letter, draft=draft, signature_png=None if draft else _trial_signature(),
                            images={STRESS_SEAL: stress_seal_png()})
        except TemplateProblem as exc:
            return findings + [f"{line} (found by rendering {what} as {kind})"
                               for line in str(exc).split("\n")]
        except MachineTooBusy:
            # Only the clock ran out: a verdict either way would depend on the machine's load.
            raise MachineTooBusy(f"template {pack.id}: the machine was too busy to finish the check: rendering "
                                 f"{what} as {kind} did not finish within {WALL_SECONDS:g} seconds, though it "
                                 "was within every counted limit when it stopped; no verdict was reached on the "
                                 "pack; run the check again when the machine is less busy") from None
        except LetterInvalid as exc:
            findings += [f"template {pack.id}: {what} does not fit the pack: {problem}"
                         for problem in exc.problems]
    return findings
