"""Staging and putting letters in place: two trees' code and a bare floor, alternated in one process.

    python -m bench.staging_ab OLD_TREE NEW_TREE [--folder DIR] [--letters 1000] [--rounds 10] [--existing]

Each round stages ``--letters`` copies of a pack's letter.docx as a mail merge's worker does
(``StagedWrites`` in chunks of 125, ``check_docx_file``, ``WORD_LETTER``, then ``commit``) with
each tree's ``app/core/files.py`` and ``app/rendering/verify.py``, and writes as many files with a
bare open/write/close (the floor: no temporary, check or flush), into fresh folders under
``--folder``, the order turned each round. It prints user and system CPU a letter (``os.times``)
and each tree's cost above the floor of its own round: the disk's cost of making a file varies
with the machine's other work far more than between the trees, so only a paired figure says
what the code costs. Not part of ``make bench`` (it compares two trees, e.g. main's checkout and
a branch's). ``--existing`` makes every letter there first, as a merge run again finds them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

CHUNK = 125  # what a forked worker stages and puts in place at once in a 1,000-letter merge on 2 cores


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _tree(label: str, root: Path) -> tuple[Any, Any]:
    """A tree's writer and check, loaded beside the other tree's (``app.core.errors`` and
    ``app.core.zip_directory`` are imported from whichever ``app`` is first on the path)."""
    return (_load(f"staging_ab_{label}_files", root / "app" / "core" / "files.py"),
            _load(f"staging_ab_{label}_verify", root / "app" / "rendering" / "verify.py"))


def _stage(files: Any, verify: Any, out: Path, data: bytes, letters: int) -> None:
    for start in range(0, letters, CHUNK):
        staged = files.StagedWrites()
        for n in range(start, min(letters, start + CHUNK)):
            staged.stage_together([(out / f"letter-{n:04d}.docx", data, verify.check_docx_file, files.WORD_LETTER, "")])
        staged.commit()


def _bare(out: Path, data: bytes, letters: int) -> None:
    for n in range(letters):
        fd = os.open(out / f"bare-{n:04d}.docx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--folder", type=Path, default=None, help="where the letters go (default: the temp folder)")
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--existing", action="store_true", help="every letter is there already")
    args = parser.parse_args()
    sys.path.insert(0, str(args.new))
    trees = {"old": _tree("old", args.old), "new": _tree("new", args.new)}
    data = (args.new / "templates" / "officials-concern" / "letter.docx").read_bytes()
    work = Path(tempfile.mkdtemp(prefix="staging-ab-", dir=args.folder))
    figures: dict[str, list[tuple[float, float]]] = {"old": [], "new": [], "bare": []}
    try:
        for round_ in range(args.rounds):
            order = ["old", "new", "bare"] if round_ % 2 == 0 else ["bare", "new", "old"]
            for name in order:
                out = work / f"{name}-{round_}"
                out.mkdir()
                if args.existing and name != "bare":
                    for n in range(args.letters):
                        (out / f"letter-{n:04d}.docx").write_bytes(data)
                    os.sync()
                before = os.times()
                if name == "bare":
                    _bare(out, data, args.letters)
                else:
                    _stage(*trees[name], out, data, args.letters)
                after = os.times()
                figures[name].append(((after.user - before.user) * 1000 / args.letters,
                                      (after.system - before.system) * 1000 / args.letters))
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, runs in figures.items():
        print(f"{name}: CPU {statistics.median(u + s for u, s in runs):.3f} ms a letter "
              f"(user {statistics.median(u for u, _ in runs):.3f}, system {statistics.median(s for _, s in runs):.3f})")
    for name in ("old", "new"):
        above = [u + s - bu - bs for (u, s), (bu, bs) in zip(figures[name], figures["bare"], strict=True)]
        print(f"{name} above the floor of its round: median {statistics.median(above):.3f} ms a letter")
    print("load average", " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists()
          else "unknown")


if __name__ == "__main__":
    main()
