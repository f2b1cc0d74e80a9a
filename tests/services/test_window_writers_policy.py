"""The window's writers refuse the same targets as the command line's (the output policy).

The window writes files through a few service calls: the export dialog (``export_letter``, a
draft or a copy per addressee), the approved letter (``ServiceDesk.export_final``; its PDF alone,
``export_final_pdf``), the sealed per-addressee copies (``ServiceDesk.export_copies``) and Review >
Redline in Word… (``write_docx``). The calls ``app/ui`` makes are read from its source, so a new
window action that writes through another function fails here until it is attacked too.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from app.bootstrap import journal_folder, services, template_library
from app.core.errors import ChambersError
from app.core.files import OutputRefused
from app.core.letter import parse_letter
from app.services.desk import ServiceDesk
from app.services.exporting import ExportRequest, export_letter
from app.services.letters import write_docx
from tests.conftest import ROOT, sample_data
from tests.storage.dbfixtures import office

# The service functions that write a file, as the window calls them.
WRITERS = {"export_letter", "export_final", "export_final_pdf", "export_copies", "write_docx", "write_pdf_only",
           "save_redline", "write_letter_files", "write_outputs", "atomic_write"}
ATTACKED = {"export_letter", "export_final", "export_final_pdf", "export_copies", "write_docx"}


def window_writer_calls() -> set[str]:
    found = set()
    for path in (ROOT / "app" / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
                if name in WRITERS:
                    found.add(name)
    return found - {"atomic_write"}  # preferences and icons, in the data folder (see the core test)


def test_every_window_writer_is_attacked() -> None:
    assert window_writer_calls() <= ATTACKED, (
        f"the window writes through {sorted(window_writer_calls() - ATTACKED)}, which this test does not attack")


def _snapshot(path: Path) -> object:
    if path.is_symlink():
        return ("link", str(path.readlink()), _snapshot(path.resolve()))
    if path.is_dir():
        return ("folder", sorted((str(p.relative_to(path)), p.read_bytes() if p.is_file() else None)
                                 for p in path.rglob("*")))
    return ("file", path.read_bytes()) if path.exists() else None


@pytest.fixture
def approved(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'office' / 'chambers.sqlite3'}"
    (tmp_path / "office").mkdir()
    office(url).close()
    clerk = services(url, as_user="ann")
    letter = clerk.drafts.create("officials-concern", sample_data())
    clerk.drafts.submit(letter.id)
    clerk.close()
    judge = services(url, as_user="tani")
    judge.drafts.approve(letter.id, letter.version)
    judge.close()
    return url, letter.id


def file_targets(tmp_path: Path, url: str) -> dict[str, Path]:
    database = Path(url.removeprefix("sqlite:///"))
    recovery = journal_folder(url)
    recovery.mkdir(parents=True, exist_ok=True)
    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    real = tmp_path / "elsewhere" / "real.docx"
    real.write_bytes((ROOT / "templates" / "officials-concern" / "letter.docx").read_bytes())
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"the clerk's own notes, not a letter")
    link = tmp_path / "link.docx"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(real)
    return {"a template pack's letter.docx": ROOT / "templates" / "officials-concern" / "letter.docx",
            "the database": database, "the database's -wal": database.with_name(database.name + "-wal"),
            "the recovery folder": recovery / "letter.docx", "an existing file that is not a letter": notes,
            "a symbolic link to a file elsewhere": link}


def _attack(what: str, target: Path, write: Callable[[], object], failures: list[str], label: str) -> None:
    before = _snapshot(target)
    try:
        write()
        failures.append(f"{label} at {what}: written, not refused")
    except OutputRefused as exc:
        if target.name not in str(exc) and str(target.parent) not in str(exc):
            failures.append(f"{label} at {what}: the refusal does not name the target: {exc}")
    except (ChambersError, OSError) as exc:
        failures.append(f"{label} at {what}: {type(exc).__name__}, not a refusal: {exc}")
    finally:
        if _snapshot(target) != before:
            failures.append(f"{label} at {what}: the target was changed")
            if isinstance(before, tuple) and before[0] == "file" and "template" in what:
                target.write_bytes(before[1])  # never leave the shipped pack broken for later tests


def test_the_window_writers_refuse_every_protected_target(tmp_path: Path, approved: tuple[str, int]) -> None:
    url, letter_id = approved
    library = template_library()
    pack = library.get("officials-concern")
    letter = parse_letter(sample_data()).letter
    desk = ServiceDesk(services(url, as_user="tani"))
    docx = pack.render(letter, draft=True).data
    failures: list[str] = []
    try:
        for what, target in file_targets(tmp_path, url).items():
            _attack(what, target, lambda t=target: desk.export_final(letter_id, t, None), failures,
                    "Export (the approved letter)")
            _attack(what, target, lambda t=target: desk.export_final_pdf(letter_id, t), failures,
                    "Export (the approved letter, PDF only)")
            _attack(what, target, lambda t=target: write_docx(t, docx), failures, "Redline in Word")
            # The export dialog names a folder and a file stem (the database cannot be named so: its
            # name does not end in .docx); it asks before replacing a file.
            if target.suffix != ".docx":
                continue
            request = ExportRequest(target.parent, target.stem, overwrite=True)
            _attack(what, target, lambda r=request: export_letter(library, pack, letter, r), failures,
                    "Export (a DRAFT copy)")
        copies = copy.copy(file_targets(tmp_path, url))
        copies["the recovery folder"] = journal_folder(url)
        copies["a template pack's folder"] = pack.folder
        for what, target in copies.items():
            if what == "a template pack's letter.docx":
                continue
            _attack(what, target, lambda t=target: desk.export_copies(letter_id, t), failures,
                    "Export (one copy per addressee)")
            _attack(what, target, lambda t=target: desk.export_copies(letter_id, t, pdf=True, docx=False), failures,
                    "Export (one PDF per addressee, no .docx)")
            request = ExportRequest(target, "letter", per_addressee=True, overwrite=True)
            _attack(what, target, lambda r=request: export_letter(library, pack, letter, r), failures,
                    "Export (a DRAFT copy per addressee)")
    finally:
        desk.close()
    assert not failures, "\n".join(failures)
