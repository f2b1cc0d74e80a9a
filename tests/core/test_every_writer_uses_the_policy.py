"""No file is written around the output policy.

A letter, PDF or redline reaches a person's chosen path only through ``write_outputs`` (or the
helpers over it), which runs ``check_output_target``. This test reads the source of ``app/`` and
finds every call that writes a file directly (``atomic_write``, ``StagedWrites``, ``write_bytes``,
``open(..., "w")``, ``os.open``, ``os.replace``, ``shutil.copy``, Qt's ``save(path, "PNG")``);
each must be one of the internal writes listed here, which go to Chambers' own folders (never a
path a person typed), with the reason. A new raw writer fails this test until it goes through
the policy or is listed with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

# (module, enclosing function): why it may write without the output policy.
INTERNAL_WRITES = {
    ("app/core/files.py", "atomic_write"): "the writing machinery under the policy",
    ("app/core/files.py", "_write_temporary"): "the writing machinery under the policy",
    ("app/core/files.py", "commit"): "StagedWrites: every staged file of a kind is checked again here",
    ("app/core/files.py", "create_private_file"): "the database file, created owner-only before SQLite opens it",
    ("app/core/files.py", "write_outputs"): "the policy's own writer",
    ("app/services/letters.py", "_render_rows"): "StagedWrites with kinds: each file is checked by the policy",
    ("app/services/letters.py", "_merge_with_pdfs"): "StagedWrites with kinds: each letter and its PDF is "
                                                      "checked by the policy",
    ("app/services/letters.py", "put_in_place"): "commits what _merge_with_pdfs staged with kinds",
    ("app/services/journal.py", "record"): "the recovery journal, in its own recovery folder",
    ("app/services/desk.py", "_write"): "the window's autosave and address book, in the data folder",
    ("app/services/clauses.py", "_write"): "the clause bank of a window working alone, in the data folder",
    ("app/services/seals.py", "__getitem__"): "the seal cache (recovery folder's .seals/), a copy of database bytes",
    ("app/services/office.py", "choose"): "who this computer's user is, in the data folder",
    ("app/services/spelling.py", "keep_word_list"): "the word-list cache and its hash file, in the data folder",
    ("app/rendering/pdf.py", "_start"): "who owns the office's private pipe folder (made 0700 by mkdtemp), read "
                                        "by the sweep of offices whose process is gone",
    ("app/services/startcard.py", "save"): "the start card in the data folder",
    ("app/ui/icons.py", "_icon"): "recoloured icons in the data folder's cache",
    ("app/ui/profile.py", "save"): "the window's preferences in the data folder",
    ("app/rendering/pdf.py", "convert"): "the letter handed to LibreOffice, in a private temporary folder",
    ("app/rendering/pdf.py", "_convert_once"): "the letter handed to LibreOffice, in a private temporary folder",
    ("app/rendering/pdf.py", "to_pdf"): "not called by any command or window action (a library helper)",
    ("app/ui/app.py", "capture"): "--screenshot FILE.png, a developer's tool for the README, not a letter",
    ("app/ui/scenes.py", "save"): "--screenshot FILE.png, a developer's tool for the README, not a letter",
    ("app/ui/scenes.py", "_signing_office"): "--scene signing: a throwaway key file in the scene's temporary folder",
    ("app/cli/letters.py", "run_guarded"): "stdout sent to /dev/null once the reader of a pipe went away",
    ("app/bootstrap.py", "_put_backup_in_place"): "db backup FILE (SQLite's copy or pg_dump's archive): "
                                                  "check_output_target(DATABASE_BACKUP) before the copy is made and "
                                                  "again just before it is renamed into place",
    ("app/cli/packs.py", "action"): "templates new: a new pack folder (refused if it exists), made complete in "
                                    "a temporary folder beside it and renamed; never a letter, never over a file",
}
# Internal writes of changes made beside this one (the window's typing log, signing's check in a
# temporary folder, the database's own restore and copies), listed ahead; the stale check below
# leaves them out until they arrive. ``db backup FILE`` is not here: it writes where a person
# says, so it goes through the output policy.
ARRIVING_INTERNAL_WRITES = {
    ("app/services/journal.py", "_write"): "the recovery journal and typing log, in the recovery folder",
    ("app/services/signing.py", "_against_database"): "a letter checked in a private temporary folder",
    ("app/bootstrap.py", "restore_database"): "the embedded database itself, replaced by a checked backup",
    ("app/storage/database.py", "copy_sqlite"): "SQLite's online backup into a checked temporary",
    ("app/storage/database.py", "fresh_name"): "a new name beside the database, created exclusively",
}
_READ_ONLY_FLAGS = {"O_RDONLY", "O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY", "O_DIRECTORY"}


def _writes(call: ast.Call) -> str | None:
    """What ``call`` writes with, when it writes a file directly."""
    fn = call.func
    name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
    owner = fn.value.id if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) else ""
    if name in ("atomic_write", "StagedWrites", "write_bytes", "write_text", "mkstemp"):
        return name
    if (owner == "shutil" and name.startswith("copy")) or (owner == "os" and name in ("replace", "rename", "link")):
        return f"{owner}.{name}"
    if owner == "os" and name == "open":
        flags = {n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else ""
                 for n in ast.walk(call.args[1])} if len(call.args) > 1 else {"?"}
        if flags - _READ_ONLY_FLAGS - {"os", "getattr", ""} - {"flags"}:
            return "os.open"
        return None
    if name == "open" and not owner:
        mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax+"):
            return f"open(..., {mode.value!r})"
    if name == "save" and len(call.args) == 2 and isinstance(call.args[1], ast.Constant):
        return "Qt save"
    return None


def raw_writes() -> set[tuple[str, str, str]]:
    found = set()
    for path in sorted((ROOT / "app").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        innermost: dict[int, tuple[str, str]] = {}
        for function in ast.walk(tree):  # breadth first: an inner function comes after its outer one
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and (how := _writes(node)):
                    innermost[id(node)] = (function.name, how)
        found |= {(module, function, how) for function, how in innermost.values()}
    return found


def test_no_file_is_written_around_the_output_policy() -> None:
    found = raw_writes()
    known = INTERNAL_WRITES.keys() | ARRIVING_INTERNAL_WRITES.keys()
    unknown = sorted(f"{module}: {function}() writes with {how}" for module, function, how in found
                     if (module, function) not in known)
    assert not unknown, ("files written without the output policy (app.core.files.check_output_target); "
                         "write them with write_outputs, or list an internal write here with its reason:\n"
                         + "\n".join(unknown))
    stale = sorted(INTERNAL_WRITES.keys() - {(module, function) for module, function, _ in found})
    assert not stale, f"listed internal writes that no longer write (remove them): {stale}"


def test_the_scan_finds_a_writer_around_the_policy(tmp_path: Path) -> None:
    source = "def save_redline(out, data):\n    out.write_bytes(data)\n"
    (call,) = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert _writes(call) == "write_bytes"
    assert _writes(ast.parse("os.open(p, os.O_RDONLY | os.O_NOFOLLOW)").body[0].value) is None  # type: ignore[attr-defined]
    assert _writes(ast.parse("os.open(p, os.O_WRONLY | os.O_CREAT)").body[0].value) == "os.open"  # type: ignore[attr-defined]
