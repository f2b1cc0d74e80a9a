"""Writing files so that an existing file is never left half-written, nor the wrong one written.

Every file Chambers makes is created owner-only (0600; its folders 0700): letters, the
database, its journal and the recovery files hold what a court has not yet published.

A letter is exported to a path a person typed. Before anything is written the path is checked
against what this process must never overwrite (the database and its -wal/-shm/-journal, the
recovery folder, the template folders), by resolved path and by file identity, so a symlink or
a hard link to the database is refused like the database itself; and an existing file is only
replaced when it is a .docx or PDF Chambers could have written.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ChambersError
from app.core.zip_directory import plain_names_of_file

FILE_MODE = 0o600
FOLDER_MODE = 0o700

# A check of a written file: given the path it is written for and its bytes as read back from
# the file, it raises ``OSError`` when the file is unfit (``app.rendering.verify.check_docx_file``).
FileCheck = Callable[[Path, bytes], None]


def atomic_write(path: Path, data: bytes, check: FileCheck | None = None,
                 *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, read back and
    compared (and given to ``check``, which raises if the file is unfit), and only then
    replace ``path``. On any failure the temporary file is removed and ``path`` is untouched.
    ``durable=False`` skips the fsyncs; only for files that are cheap to make again.
    Many files at once are cheaper through ``StagedWrites``.
    """
    tmp = _write_temporary(path, data, check, _kept_mode(path, _lstat(path)), durable=durable)
    try:
        os.replace(tmp, path)
        if durable:
            fsync_folder(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class Staged:
    """One file of a ``StagedWrites`` group: its checked temporary and where it goes."""

    tmp: Path
    path: Path
    kind: OutputKind | None = None   # checked against the output policy again before it is put in place
    option: str = ""
    existed: bool = False            # a file was at ``path`` before (so it is never removed to undo)


class CommitIncomplete(OSError):
    """Some groups of a ``StagedWrites`` were not put in place; ``written`` lists what was."""

    def __init__(self, cause: Exception, written: list[Path]) -> None:
        if isinstance(cause, OSError):
            super().__init__(cause.errno, cause.strerror or str(cause), cause.filename)
        else:  # a target the output policy refused at the last moment
            super().__init__(str(cause))
        self.cause = cause
        self.written = written


class StagedWrites:
    """Many files written to temporaries first and put in place together.

    Each file is written to a temporary in its folder, read back and checked at once; ``commit``
    then makes all their data durable with one ``sync`` and renames them into place, so a
    mail merge pays for one flush per batch of files rather than two fsyncs per file (measured
    on this project's CI machine: 1,000 letters, 1.6 s of fsyncs out of 5.5 s). Until
    ``commit`` no final file exists or changes; ``abort`` removes the temporaries.

    Files staged with ``stage_together`` (a letter and its PDF) form a group: the group is staged
    whole or not at all, and put in place whole or not at all. A file staged with a ``kind`` is
    checked against the output policy (``check_output_target``) when it is staged and again just
    before it is put in place; the folder's part of that check is decided once for all the files
    staged into it, and once again for the commit (``FolderVerdict``).
    """

    def __init__(self) -> None:
        self._groups: list[list[Staged]] = []
        self._verdicts: dict[Path, FolderVerdict] = {}  # decided once for all the files staged into a folder

    def stage(self, path: Path, data: bytes, check: FileCheck | None = None, *,
              kind: OutputKind | str | None = None, option: str = "") -> None:
        self.stage_together([(path, data, check, kind, option)])

    def stage_together(self, files: Sequence[tuple[Path, bytes, FileCheck | None, OutputKind | str | None, str]]
                       ) -> None:
        """Stage ``files`` (path, bytes, check, kind, option) as one group: all of them or, on any
        failure (a full disk while writing the second), none, the error raised."""
        group: list[Staged] = []
        try:
            for path, data, check, kind, option in files:
                declared = output_kind(kind) if kind is not None else None
                # One lstat says whether a file is there (never removed to undo, then) and the
                # mode it keeps; the policy's check has made it already.
                if declared is not None:
                    found = _verdict(self._verdicts, path).check(path, declared, option)
                else:
                    found = _lstat(path)
                tmp = _write_temporary(path, data, check, _kept_mode(path, found))
                group.append(Staged(tmp, path, declared, option, found is not None))
        except BaseException:
            for staged in group:
                with contextlib.suppress(OSError):
                    staged.tmp.unlink()
            raise
        self._groups.append(group)

    def commit(self) -> list[Path]:
        """Make the staged files durable and put them in place; the paths written.

        A group that cannot be put in place whole (a refused target, a failed rename) is undone:
        its files already placed are removed again when they were new. Every other group is
        still put in place; then ``CommitIncomplete`` says which paths were written.
        """
        staged = [one for group in self._groups for one in group]
        if not staged:
            return []
        try:
            if hasattr(os, "sync") and len(staged) > 4:
                os.sync()
            else:  # a few files (one letter and its PDF), or Windows, which has no sync(2)
                for one in staged:
                    with open(one.tmp, "rb+") as stream:
                        os.fsync(stream.fileno())
        except OSError as exc:
            self.abort()
            raise CommitIncomplete(exc, []) from exc
        done: list[Path] = []
        failure: Exception | None = None
        # Decided afresh just before the renames: a folder or file swapped meanwhile is still refused.
        verdicts: dict[Path, FolderVerdict] = {}
        renamed: set[int] = set()  # the ids of those whose temporary is gone, renamed into place
        try:
            for group in self._groups:
                placed: list[Staged] = []
                try:
                    for one in group:
                        if one.kind is not None:
                            _verdict(verdicts, one.path).check(one.path, one.kind, one.option)
                        os.replace(one.tmp, one.path)
                        renamed.add(id(one))
                        placed.append(one)
                except (OSError, OutputRefused) as exc:
                    failure = failure or exc
                    for one in placed:
                        if not one.existed:
                            with contextlib.suppress(OSError):
                                one.path.unlink()
                    continue
                done += [one.path for one in group]
            for folder in {one.path.parent for one in staged}:
                fsync_folder(folder if str(folder) else Path("."))
        finally:
            self._discard(renamed)
        if isinstance(failure, OutputRefused) and not done:
            raise failure
        if failure is not None:
            raise CommitIncomplete(failure, done) from failure
        return done

    def abort(self) -> None:
        """Remove every temporary staged; nothing is put in place."""
        self._discard(set())

    def _discard(self, renamed: set[int]) -> None:
        # A renamed temporary's name is gone: unlinking it again would only cost a failed system call.
        for group in self._groups:
            for one in group:
                if id(one) not in renamed:
                    with contextlib.suppress(OSError):
                        os.unlink(one.tmp)
        self._groups = []
        self._verdicts = {}


def _verdict(verdicts: dict[Path, FolderVerdict], path: Path) -> FolderVerdict:
    verdict = verdicts.get(path.parent)
    if verdict is None:
        verdict = verdicts[path.parent] = FolderVerdict(path.parent)
    return verdict


# A temporary's name is unique because it is created with O_EXCL, not by chance: this process's
# token and a serial number. tempfile.mkstemp draws eight random letters for every name (and
# joins and normalises the path), about a tenth of what staging a letter costs; the token is
# drawn again in a forked worker and after any name found taken, so a name someone else made
# (by chance or to get in the way) is passed over, and a worker never races its parent.
_SERIAL = itertools.count()
_TOKEN = [os.urandom(3).hex()]  # six letters: with the serial, names as long as mkstemp's
_NAME_TRIES = 100  # as tempfile.TMP_MAX: a folder where 100 fresh names are all taken is not one to write in


def _new_token() -> None:
    _TOKEN[0] = os.urandom(3).hex()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_token)

_CREATE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_temporary(path: Path, data: bytes, check: FileCheck | None, mode: int, *, durable: bool = False) -> Path:
    """``data`` in a new temporary beside ``path`` with ``mode``, read back, compared and checked.

    The bytes are read back through the descriptor they were written with: the same file's
    content as reopening it by name would give, for one system call instead of three and a
    buffered reader. ``check`` gets those bytes, so it needs no second read. ``durable``
    flushes the file to disk before it is read back.
    """
    folder = path.parent
    for _ in range(_NAME_TRIES):
        tmp = folder / f".{path.name}.{_TOKEN[0]}{next(_SERIAL):x}.tmp"
        try:
            fd = os.open(tmp, _CREATE, FILE_MODE)
            break
        except FileExistsError:
            _new_token()
    else:
        raise FileExistsError(errno.EEXIST, f"{path}: no free name for its temporary file in {folder}")
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
            read_back = _read_all(fd, len(data))
            with contextlib.suppress(OSError):  # a file system without modes (FAT, SMB) keeps its own
                if _CHMOD_BY_DESCRIPTOR:
                    os.chmod(fd, mode)
                else:
                    os.chmod(tmp, mode)
        finally:
            os.close(fd)
        if read_back != data:
            raise OSError(f"{path}: the file read back differs from what was written")
        if check is not None:
            check(path, read_back)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


_CHMOD_BY_DESCRIPTOR = os.chmod in os.supports_fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # a regular file either takes bytes or raises; never loop on a refusal
            raise OSError(errno.EIO, "the file took no more bytes")
        view = view[written:]


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes from its start, up to one past ``size`` (so a longer file differs)."""
    parts = []
    offset = 0
    while offset <= size:
        wanted = size + 1 - offset
        part = _read_at(fd, wanted, offset)
        parts.append(part)
        offset += len(part)
        if len(part) < wanted:  # a regular file reads short only at its end: no second call to find it
            break
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _read_at(fd: int, count: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, count, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows has no pread
    return os.read(fd, count)


def _lstat(path: Path) -> os.stat_result | None:
    """What is at ``path`` itself (a link is not followed); None when nothing is."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _kept_mode(path: Path, found: os.stat_result | None) -> int:
    """A replaced file keeps the permissions its owner gave it; a new one is owner-only."""
    if found is None:
        return FILE_MODE
    if stat.S_ISLNK(found.st_mode):  # only without an output kind: the policy refuses links
        try:
            return os.stat(path).st_mode & 0o777
        except OSError:
            return FILE_MODE
    return found.st_mode & 0o777


def fsync_folder(folder: Path) -> None:
    """Make the renames and new names in ``folder`` durable (a no-op where unsupported)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def make_private_folder(folder: Path) -> None:
    """Make ``folder`` (and its missing parents) owner-only; an existing folder is left as it is."""
    if folder.is_dir():
        return
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # mkdir's mode is filtered by the umask
        os.chmod(folder, FOLDER_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only unless it exists, before a library opens it.

    SQLite gives its -wal, -shm and -journal files the database file's permissions, so a
    database created here keeps its journals private too.
    """
    make_private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


# --- where an export may not go -----------------------------------------------------------------
class OutputRefused(ChambersError):
    """An export or render target that would overwrite something it must not; nothing was written."""


class OutputFolderUnusable(ChambersError):
    """The folder an export goes to is missing or cannot be written; nothing was written."""


_LOCK = threading.Lock()
_PROTECTED_FILES: dict[Path, str] = {}
_PROTECTED_FOLDERS: dict[Path, str] = {}
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as given
        return Path(os.path.abspath(path))


def protect_database(path: Path) -> None:
    """No export may write over the SQLite file ``path`` or its journals, by any name."""
    with _LOCK:
        _PROTECTED_FILES[_resolved(path)] = "the Chambers database"
        for suffix in DATABASE_COMPANIONS:
            _PROTECTED_FILES[_resolved(path.with_name(path.name + suffix))] = \
                f"the Chambers database's {suffix[1:]} file"


def protect_database_url(url: str) -> None:
    """``protect_database`` for a database URL; a server database has no file to protect."""
    if "://" not in url:
        protect_database(Path(url))
    elif url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            protect_database(Path(path))


def protect_folder(folder: Path, what: str) -> None:
    """No export may write anything inside ``folder`` (``what`` names it in the refusal)."""
    with _LOCK:
        _PROTECTED_FOLDERS.setdefault(_resolved(folder), what)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _inside_protected(target: Path, folders: dict[Path, str]) -> tuple[Path, str] | None:
    """The protected folder ``target`` is (or is in), by path and by the identity of each folder
    on the way up, so another spelling of the same folder (a case-insensitive disk, a bind
    mount) is found too."""
    for folder, what in folders.items():
        if target == folder or folder in target.parents:
            return folder, what
    identities = {_identity(folder): (folder, what) for folder, what in folders.items()}
    identities.pop(None, None)
    if not identities:
        return None
    for ancestor in (target, *target.parents):
        found = identities.get(_identity(ancestor))
        if found is not None:
            return found
    return None


_WORD_PARTS = frozenset((b"[Content_Types].xml", b"word/document.xml"))


def _is_word_letter(path: Path) -> bool:
    """Whether an existing regular file is a Word package: a .docx Chambers could have written.

    A merge run again asks this of every letter it replaces, twice (staged, then renamed): its
    plain zip directory is read from the file's end without zipfile (``app.core.zip_directory``);
    anything that one does not decide is zipfile's to read.
    """
    plain = plain_names_of_file(path)
    if plain is not None and plain >= _WORD_PARTS:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def starts_with(magic: bytes) -> Callable[[Path], bool]:
    """An ``OutputKind.is_ours`` that recognises a file by its first bytes (its format's magic number)."""
    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as stream:
                return stream.read(len(magic)) == magic
        except OSError:
            return False
    return recognise


@dataclass(frozen=True)
class OutputKind:
    """A kind of file Chambers writes: how it is named, and how an existing one is recognised.

    ``is_ours`` tells a file Chambers could have written from anything else under the same name;
    only the former is ever replaced. A new writer of another kind (a database backup, say)
    declares its own ``OutputKind`` and passes it to ``check_output_target``.
    """

    description: str                  # "a Word letter (.docx)", as refusals print it
    suffixes: tuple[str, ...]         # lower case, with the dot; the first is the one suggested; () any name
    is_ours: Callable[[Path], bool]


WORD_LETTER = OutputKind("a Word letter (.docx)", (".docx",), _is_word_letter)
PDF_COPY = OutputKind("a PDF copy (.pdf)", (".pdf",), starts_with(b"%PDF-"))
_KINDS = {".docx": WORD_LETTER, ".pdf": PDF_COPY}


def output_kind(kind: OutputKind | str) -> OutputKind:
    """``kind`` itself, or the kind a suffix (".docx", ".pdf") names."""
    if isinstance(kind, OutputKind):
        return kind
    try:
        return _KINDS[kind.lower()]
    except KeyError:
        raise ValueError(f"no output kind is declared for {kind!r}; declare an OutputKind") from None


# The policy's refusals, in the words both ``check_output_target`` and ``FolderVerdict`` use.
def _inside(label: str, inside: tuple[Path, str]) -> OutputRefused:
    return OutputRefused(f"{label}: this is inside {inside[1]} ({inside[0]}); letters are not written there")


def _another_name(label: str, protected: tuple[Path, str]) -> OutputRefused:
    return OutputRefused(f"{label}: this is another name for {protected[1]} ({protected[0]}); "
                         "an export never writes over it")


def _wrong_suffix(label: str, kind: OutputKind) -> OutputRefused:
    return OutputRefused(f"{label}: only {kind.description} is written here; name the file "
                         f"….{kind.suffixes[0][1:]}")


def _hard_links(label: str) -> OutputRefused:
    return OutputRefused(f"{label}: the file has other names (hard links); Chambers does not replace "
                         "a file that is also somewhere else")


def check_output_target(path: Path, kind: OutputKind | str, option: str = "") -> None:
    """The output policy: raise ``OutputRefused`` unless Chambers may write a ``kind`` file at ``path``.

    This is the one place that decides whether a path any command or window action writes may
    be written; every writer calls it (``write_outputs`` does, and again just before the files
    are put in place), and a writer that does not is a defect (``tests/cli/test_output_policy.py``
    walks every command and fails on a writer it cannot attack). A path is refused when it is:

    - the database or one of its -wal/-shm/-journal files (registered by ``protect_database``),
      by resolved path and by file identity, so a symlink or hard link to it is refused too;
    - in or at a protected folder (``protect_folder``: the recovery folder, every template
      folder, shipped or the user's, and any pack named by its folder);
    - a symbolic link (even one to a letter): replacing it would write somewhere else than the
      name the person typed, or turn a link into a file behind their back;
    - something other than a regular file (a folder, FIFO, socket or device);
    - a file with other names (a hard link), since replacing it would split it from them;
    - named with another suffix than the kind's, or an existing file that ``kind.is_ours`` does
      not recognise (a clerk's notes saved as letter.docx are left as they are).

    ``option`` names where the path came from ("--out") so the refusal points at it. Nothing is
    written or created here; the caller writes only after every one of its targets passed.
    The refusal is the command line's exit 2, "a target Chambers will not write".
    """
    kind = output_kind(kind)
    label = f"{option} {path}" if option else str(path)
    target = _resolved(path)
    with _LOCK:
        files = dict(_PROTECTED_FILES)
        folders = dict(_PROTECTED_FOLDERS)
    for protected, what in files.items():
        if target == protected:
            raise OutputRefused(f"{label}: this is {what} ({protected}); an export never writes over it")
    inside = _inside_protected(target, folders)
    if inside is not None:
        raise _inside(label, inside)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        link = None
    except (OSError, ValueError) as exc:
        raise OutputRefused(f"{label}: cannot be checked ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None  # nothing there, or a dangling link (refused below)
    except OSError as exc:
        raise OutputRefused(f"{label}: cannot be checked ({exc.strerror or exc})") from None
    if info is not None:
        identity = (info.st_dev, info.st_ino)
        for protected, what in files.items():
            if _identity(protected) == identity:
                raise _another_name(label, (protected, what))
    if link is not None and stat.S_ISLNK(link.st_mode):
        raise OutputRefused(f"{label}: this is a symbolic link (to {os.readlink(path)}); Chambers does not write "
                            "through links: name the file itself")
    if kind.suffixes and path.suffix.lower() not in kind.suffixes:
        raise _wrong_suffix(label, kind)
    if info is None:
        return
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(f"{label}: exists and is not a regular file (a folder, device or pipe); "
                            "choose a file name")
    if info.st_nlink > 1:
        raise _hard_links(label)
    if not kind.is_ours(path):
        raise OutputRefused(f"{label}: an existing file that is not {kind.description} Chambers could have "
                            "written; it is left as it is (choose another name or remove it yourself)")


# The name every writer used before the policy had one; kept so callers read either way.
check_output = check_output_target


class FolderVerdict:
    """The output policy decided once for a folder, then per file only what differs between files.

    ``check_output_target`` resolves the whole path and walks every ancestor of the target
    against every protected folder, by path and by identity: about a dozen system calls, the same
    for every file of a mail merge, since every letter goes into the same folder. Here that part
    is decided once (``StagedWrites`` decides it once per group of files it puts in place, and
    again just before it renames them), and each file costs one ``lstat``. The verdict is the
    same as ``check_output_target``'s, worded the same; whatever is not a plain regular file or
    a free name (a link, a folder, a FIFO, a name that cannot be read) and any path outside the
    folder go through ``check_output_target`` itself.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._resolved = _resolved(folder)
        with _LOCK:
            files = dict(_PROTECTED_FILES)
            folders = dict(_PROTECTED_FOLDERS)
        # A protected file lies in this folder by path only if its resolved parent is the folder;
        # each is found by its name (as the system compares names), not by joining and hashing a path.
        self._files = {os.path.normcase(protected.name): (protected, what) for protected, what in files.items()
                       if protected.parent == self._resolved}
        self._identities = {identity: (protected, what) for protected, what in files.items()
                            if (identity := _identity(protected)) is not None}
        self._inside = _inside_protected(self._resolved, folders)
        # A protected folder (one not made yet, say) named like a file of this folder.
        self._folders = {os.path.normcase(protected.name): (protected, what) for protected, what in folders.items()
                         if protected.parent == self._resolved}

    def check(self, path: Path, kind: OutputKind | str, option: str = "") -> os.stat_result | None:
        """``check_output_target(path, kind, option)`` for a ``path`` in this verdict's folder.

        Returns what the check found at ``path`` (its ``lstat``; None for a free name), so a
        writer learns whether a file is there and its mode without asking again.
        """
        kind = output_kind(kind)
        if path.parent != self.folder or not path.name or path.name in (".", ".."):
            check_output_target(path, kind, option)
            return _lstat(path)
        try:
            info: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            info = None
        except (OSError, ValueError):
            check_output_target(path, kind, option)  # it words why the path cannot be checked
            return _lstat(path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            check_output_target(path, kind, option)  # a link, folder, FIFO or device: refused there, in its words
            return info
        label = f"{option} {path}" if option else str(path)  # for the refusals; a few strings a file
        if self._files or self._folders:
            key = os.path.normcase(path.name)
            protected_file = self._files.get(key)
            if protected_file is not None:
                raise OutputRefused(f"{label}: this is {protected_file[1]} ({protected_file[0]}); an export never "
                                    "writes over it")
            inside = self._inside or self._folders.get(key)
        else:
            inside = self._inside
        if inside is not None:
            raise _inside(label, inside)
        if info is not None:
            found = self._identities.get((info.st_dev, info.st_ino))
            if found is not None:
                raise _another_name(label, found)
        if kind.suffixes and path.suffix.lower() not in kind.suffixes:
            raise _wrong_suffix(label, kind)
        if info is None:
            return None
        if info.st_nlink > 1:
            raise _hard_links(label)
        if not kind.is_ours(path):
            raise OutputRefused(f"{label}: an existing file that is not {kind.description} Chambers could have "
                                "written; it is left as it is (choose another name or remove it yourself)")
        return info


def check_output_folder(path: Path, option: str = "") -> None:
    """Raise ``OutputFolderUnusable`` when the folder ``path`` goes to is missing or read-only."""
    folder = path.parent if str(path.parent) else Path(".")
    label = f"{option} {path}" if option else str(path)
    if not folder.is_dir():
        raise OutputFolderUnusable(f"{label}: The folder {folder} does not exist; make it first or write "
                                   "somewhere else. Nothing was written.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputFolderUnusable(f"{label}: The folder {folder} cannot be written to (it is read-only "
                                   "or not yours). Nothing was written.")


def preflight_outputs(targets: Sequence[tuple[Path, OutputKind | str, str]]) -> None:
    """Check every (path, kind, option) before anything is made, so a refusal writes nothing."""
    for path, kind, option in targets:
        check_output_target(path, kind, option)
        check_output_folder(path, option)
    resolved = [_resolved(path) for path, _, _ in targets]
    if len(set(resolved)) != len(resolved):
        raise OutputRefused(" and ".join(option or str(path) for path, _, option in targets)
                            + " name the same file; give them different names")


def write_outputs(files: Iterable[tuple[Path, OutputKind | str, str, bytes, FileCheck | None]]
                  ) -> list[Path]:
    """Write (path, kind, option, bytes, check) files all together, or none of them.

    Every target passes the output policy (``check_output_target``) first; each file goes to a
    checked temporary beside its target; the targets are checked again just before the
    temporaries are put in place, so a file swapped in meanwhile (a link to the database) is
    still refused.
    """
    items = list(files)
    preflight_outputs([(path, kind, option) for path, kind, option, _, _ in items])
    staged = StagedWrites()
    try:
        staged.stage_together([(path, data, check, kind, option) for path, kind, option, data, check in items])
    except BaseException:
        staged.abort()
        raise
    try:
        return staged.commit()
    except CommitIncomplete as exc:
        if isinstance(exc.cause, OutputRefused):
            raise exc.cause from None
        raise


def check_output_folder_target(folder: Path, option: str = "") -> None:
    """The output policy for a folder letters are written into (``batch --out``, ``export-copies
    --folder``): raise ``OutputRefused`` when it is the database or one of its journals, is or is
    in a protected folder, or exists but is not a folder (a file, or a link to one). Each file
    written into it then passes ``check_output_target`` itself."""
    label = f"{option} {folder}" if option else str(folder)
    target = _resolved(folder)
    with _LOCK:
        files = dict(_PROTECTED_FILES)
        folders = dict(_PROTECTED_FOLDERS)
    for protected, what in files.items():
        if target == protected or _identity(folder) == _identity(protected) is not None:
            raise OutputRefused(f"{label}: this is {what} ({protected}), not a folder for letters")
    inside = _inside_protected(target, folders)
    if inside is not None:
        raise _inside(label, inside)
    if os.path.lexists(folder) and not folder.is_dir():
        what = "a link to something that is not a folder" if folder.is_symlink() else "a file, not a folder"
        raise OutputRefused(f"{label}: this is {what}; letters are written into a folder (it is left as it is)")


# The folder check's name before the policy had one.
check_output_place = check_output_folder_target
