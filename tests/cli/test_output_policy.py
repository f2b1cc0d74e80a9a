"""One output policy: every command that writes a file refuses the same targets, the same way.

The commands are found by walking the command line's argparse tree, not listed by hand: every
argument that takes a path must be either a known input or a writer with an attack recipe here,
so a new writer (``db backup FILE``, a signed ``--pdf``) fails this test until it is attacked
too. Each writer is then aimed at the same targets: a template pack's letter.docx, the database
and its -wal, the recovery folder, an existing file that is not a letter, and a symbolic link
to a letter elsewhere. Each must be refused with exit 2 ("a target Chambers will not write"),
a message naming the target, and the target unchanged byte for byte.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import database_url, journal_folder
from app.cli import build_parser, main
from app.core import files
from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import office

# Arguments that take a path the command only reads.
INPUTS = {
    ("render", "--data"), ("render", "--seal"), ("batch", "--data"), ("batch", "--addressees"),
    ("templates", "check", "path"), ("drafts", "new", "--data"), ("drafts", "update", "--data"),
    ("clauses", "add", "--file"), ("users", "add", "--signature"), ("users", "signature", "file"),
    ("verify", "file"), ("office", "profile", "seal", "file"),
    # Inputs of commands being added beside this change (signing, install, protocol), listed ahead so
    # that only their writers need a recipe when they arrive: certificates, a backup to restore,
    # a letter to preflight.
    ("users", "certificate", "certificate"), ("office", "trust", "add", "certificate"), ("verify", "--trust"),
    ("db", "restore", "file"), ("preflight", "file"),
}
# Options that write although they take no path of their own type (a flag, a folder name as text):
# found by name so that a writer declared without ``type=Path`` is not missed.
OUTPUT_NAMES = {"out", "pdf", "folder", "output", "backup", "target", "dest", "destination", "save"}


@dataclass
class Office:
    tmp: Path
    url: str
    letter: str
    data: Path
    addressees: Path

    def db(self, user: str = "tani") -> list[str]:
        return ["--db", self.url, "--as", user]


@dataclass(frozen=True)
class Recipe:
    """How to aim one writer at a target: the argv, and whether the target is a file or a folder."""

    argv: Callable[[Office, str], list[str]]
    folder: bool = False
    kind: str = ".docx"   # the suffix the option writes (a file target of this kind is used)


def _fresh(o: Office) -> str:
    return str(o.tmp / "fresh" / "companion.docx")


RECIPES: dict[tuple[str, ...], Recipe] = {
    ("render", "--out"): Recipe(lambda o, t: ["render", "--template", "officials-concern", "--data", str(o.data),
                                              "--out", t]),
    ("render", "--pdf"): Recipe(lambda o, t: ["render", "--template", "officials-concern", "--data", str(o.data),
                                              "--out", _fresh(o), "--pdf", t], kind=".pdf"),
    ("batch", "--out"): Recipe(lambda o, t: ["batch", "--template", "officials-concern", "--data", str(o.data),
                                             "--addressees", str(o.addressees), "--out", t, "--jobs", "1"],
                               folder=True),
    ("batch", "--pdf"): Recipe(lambda o, t: ["batch", "--template", "officials-concern", "--data", str(o.data),
                                             "--addressees", str(o.addressees), "--out", t, "--jobs", "1",
                                             "--pdf"], folder=True),
    ("demo", "--out"): Recipe(lambda o, t: ["demo", "--out", t]),
    ("drafts", "export", "--out"): Recipe(lambda o, t: ["drafts", "export", o.letter, "--out", t, *o.db()]),
    ("drafts", "export", "--pdf"): Recipe(lambda o, t: ["drafts", "export", o.letter, "--out", _fresh(o),
                                                        "--pdf", t, *o.db()], kind=".pdf"),
    ("drafts", "export", "--pdf-only"): Recipe(lambda o, t: ["drafts", "export", o.letter, "--pdf-only", t, *o.db()],
                                             kind=".pdf"),
    ("drafts", "export-copies", "--folder"): Recipe(
        lambda o, t: ["drafts", "export-copies", o.letter, "--folder", t, *o.db()], folder=True),
    ("drafts", "redline", "--out"): Recipe(
        lambda o, t: ["drafts", "redline", o.letter, "--from", "1", "--to", "2", "--out", t, *o.db("ann")]),
    ("db", "backup", "file"): Recipe(lambda o, t: ["db", "backup", t, "--db", o.url], kind=".sqlite3"),
}


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        yield path, parser
    for action in subcommands:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


def path_arguments() -> set[tuple[str, ...]]:
    """Every (command..., option) of the command line that takes a path or is named like an output."""
    found = set()
    for path, parser in _leaves(build_parser()):
        for action in parser._actions:
            name = action.option_strings[-1] if action.option_strings else action.dest
            bare = name.lstrip("-").replace("-", "_")
            if action.type is Path or bare in OUTPUT_NAMES:
                found.add((*path, name))
    return found


def test_every_path_argument_is_an_input_or_an_attacked_writer() -> None:
    found = path_arguments()
    unknown = sorted(found - INPUTS - set(RECIPES))
    assert not unknown, (f"commands that take a path this test does not know: {unknown}. A writer must go "
                         "through app.core.files.check_output_target and get an attack recipe in RECIPES "
                         "here; an input goes in INPUTS")
    stale = sorted(set(RECIPES) - found)
    assert not stale, f"attack recipes for arguments the command line no longer has: {stale}"


def _snapshot(path: Path) -> object:
    """What is at ``path``, byte for byte (a folder: every file below it; a link: where it points)."""
    if path.is_symlink():
        return ("link", str(path.readlink()), _snapshot(path.resolve()))
    if path.is_dir():
        return ("folder", sorted((str(p.relative_to(path)), p.read_bytes() if p.is_file() else None)
                                 for p in path.rglob("*")))
    if path.exists():
        return ("file", path.read_bytes())
    return None


@pytest.fixture
def court(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Office:
    # The default database of this computer (in the test's private data folder): the one that
    # render, batch and demo, which take no --db, must protect too.
    url = database_url()
    office(url).close()
    v1 = sample_data()
    v2 = copy.deepcopy(v1)
    v2["concerns"][0] = v2["concerns"][0].replace("do not come by choice", "rarely come by choice")
    (tmp_path / "v1.json").write_text(json.dumps(v1), encoding="utf-8")
    (tmp_path / "v2.json").write_text(json.dumps(v2), encoding="utf-8")
    db = ["--db", url]
    assert main(["drafts", "new", "--template", "officials-concern", "--data", str(tmp_path / "v1.json"),
                 *db, "--as", "ann"]) == 0
    letter = capsys.readouterr().out.strip()
    assert main(["drafts", "update", letter, "--data", str(tmp_path / "v2.json"), "--expect-version", "1",
                 *db, "--as", "ann"]) == 0
    assert main(["drafts", "submit", letter, *db, "--as", "ann"]) == 0
    assert main(["drafts", "approve", letter, "--expect-version", "2", *db, "--as", "tani"]) == 0
    capsys.readouterr()
    addressees = tmp_path / "people.csv"
    addressees.write_text("name,title\nJeff Sessions,Attorney General\n", encoding="utf-8")
    (tmp_path / "fresh").mkdir()
    return Office(tmp_path, url, letter, tmp_path / "v1.json", addressees)


def targets(o: Office, recipe: Recipe) -> dict[str, Path]:
    """The same attacks for every writer, shaped for a file or a folder of ``recipe.kind``."""
    database = Path(o.url.removeprefix("sqlite:///"))
    recovery = journal_folder(o.url)
    recovery.mkdir(parents=True, exist_ok=True)
    elsewhere = o.tmp / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    real = elsewhere / f"real{recipe.kind}"
    if not real.exists():
        real.write_bytes((ROOT / "templates" / "officials-concern" / "letter.docx").read_bytes()
                         if recipe.kind == ".docx" else b"%PDF-1.7\n% a PDF somewhere else\n")
    notes = o.tmp / f"notes{recipe.kind}"
    notes.write_bytes(b"the clerk's own notes, not a letter")
    link = o.tmp / f"link{recipe.kind}"
    if link.exists() or link.is_symlink():  # a writer that failed an earlier attack may have replaced it
        link.unlink()
    link.symlink_to(real)
    return {
        "a template pack's letter.docx": ROOT / "templates" / "officials-concern" / "letter.docx",
        "the database": database,
        "the database's -wal": database.with_name(database.name + "-wal"),
        "the recovery folder": recovery if recipe.folder else recovery / f"letter{recipe.kind}",
        "an existing file that is not a letter": notes,
        "a symbolic link to a file elsewhere": link,
    }


def test_every_writer_refuses_every_protected_target(court: Office, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    failures = []
    for key, recipe in sorted(RECIPES.items()):
        for what, target in targets(court, recipe).items():
            # As in a process of its own: each command registers what it protects itself.
            monkeypatch.setattr(files, "_PROTECTED_FILES", {})
            monkeypatch.setattr(files, "_PROTECTED_FOLDERS", {})
            before = _snapshot(target)
            fresh_before = _snapshot(court.tmp / "fresh")
            try:
                code = main(recipe.argv(court, str(target)))
            finally:
                after = _snapshot(target)
                if before != after and what == "a template pack's letter.docx" and isinstance(before, tuple):
                    target.write_bytes(before[1])  # never leave the shipped pack broken for later tests
            out, err = capsys.readouterr()
            command = " ".join(key)
            if code != 2:
                failures.append(f"{command} at {what}: exit {code}, not 2 ({err.strip() or out.strip()})")
            elif "Refused" not in err or str(target.name) not in err:
                failures.append(f"{command} at {what}: the refusal does not name the target: {err.strip()!r}")
            if before != after:
                failures.append(f"{command} at {what}: the target was changed")
            if _snapshot(court.tmp / "fresh") != fresh_before:
                failures.append(f"{command} at {what}: a companion file was written although the target was refused")
    assert not failures, "\n".join(failures)
