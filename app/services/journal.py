"""The crash-recovery journal: unsaved edits kept on disk until they reach the database.

Two parts. One small file per letter (``new.json`` for a letter not yet saved), written atomically
whenever a save is tried, holds an edit that could not reach the database (an incomplete letter, a
lost connection). And the typing log (``TypingLog``) holds every edit of the letter on screen as it
is made: each edit appends only what changed and is fsynced at once, so a kill -9 loses nothing the
clerk saw, however fast they typed and whether or not an autosave ran. On the next start
``pending()`` and ``TypingLog.read`` say what can be restored.

Each user has a folder of their own under the journal root, and every entry names its user:
several people share a computer (and its journal root), and one person's unsaved edit is never
offered to another as "your last edit".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.core import jsondata
from app.core.errors import LetterInvalid
from app.core.files import atomic_write, make_private_folder, protect_folder
from app.core.records import utc_now

log = logging.getLogger(__name__)

TYPING_LOG = "typing.log"

@dataclass(frozen=True)
class JournalEntry:
    letter_id: int | None        # None: a new letter that was never saved
    data: dict[str, Any]
    base_version: int | None     # the version the edit started from
    recorded_at: dt.datetime


_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")


def user_folder(root: Path, user: str) -> Path:
    """``root``/``user``; a name that is not a plain user name gets a folder named by its hash."""
    if _PLAIN_NAME.fullmatch(user):
        return root / user
    return root / ("user-" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:16])


class Journal:
    """The journal of one user (``owner``, asked when first needed: the user is resolved lazily)."""

    def __init__(self, root: Path, owner: str | Callable[[], str]) -> None:
        self.root = root
        self._owner = owner
        protect_folder(root, "the recovery folder")

    @property
    def owner(self) -> str:
        return self._owner if isinstance(self._owner, str) else self._owner()

    @property
    def folder(self) -> Path:
        return user_folder(self.root, self.owner)

    def _path(self, letter_id: int | None) -> Path:
        return self.folder / ("new.json" if letter_id is None else f"letter-{int(letter_id)}.json")

    @property
    def typing_path(self) -> Path:
        """This user's typing log (``TypingLog``), beside the per-letter files."""
        return self.folder / TYPING_LOG

    def record(self, letter_id: int | None, data: dict[str, Any], base_version: int | None = None,
               recorded_at: dt.datetime | None = None) -> None:
        make_private_folder(self.folder)
        entry = {"letter_id": letter_id, "base_version": base_version,
                 "recorded_at": (recorded_at or utc_now()).isoformat(),
                 "user": self.owner, "data": data}
        atomic_write(self._path(letter_id), json.dumps(entry, ensure_ascii=False).encode("utf-8"))

    def pending(self) -> list[JournalEntry]:
        entries = []
        owner, folder = self.owner, self.folder
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                raw = jsondata.load_file(path)
                if raw.get("user") != owner:
                    continue  # copied or moved here from someone else's folder: not this user's edit
                entries.append(JournalEntry(raw["letter_id"], raw["data"], raw.get("base_version"),
                                            dt.datetime.fromisoformat(raw["recorded_at"])))
            except (OSError, ValueError, KeyError, TypeError, LetterInvalid):
                continue  # a torn file cannot exist (atomic writes); anything else is not ours
        return entries

    def discard(self, letter_id: int | Literal["all"] | None = "all") -> None:
        folder = self.folder
        paths = list(folder.glob("*.json")) if letter_id == "all" and folder.is_dir() else \
            [] if letter_id == "all" else [self._path(letter_id)]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


# -- the typing log -------------------------------------------------------------------------------
# One file per user, of JSON lines: a "letter" line (the letter as opened: its id, the version it
# was read at, its whole text), then an "edit" line per edit with only what changed, and a "saved"
# line each time the database holds the letter (its id and version, and a hash of the text it holds).
# Opening another letter starts the file again; a clean close removes it. What is left after a crash
# is the letter on screen, replayed; it is unsaved unless its text is the one last saved.

Path_ = list[str | int]
Change = tuple[Path_, Any]


def changes(before: Any, after: Any, path: Path_ | None = None) -> list[Change]:
    """What turns ``before`` into ``after``: the smallest parts that differ (a whole value where a list
    changed length or a dict its keys), so one keystroke in one of 100 addressees logs one name."""
    here: Path_ = path or []
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return [c for key in after for c in changes(before[key], after[key], [*here, key])]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [c for i, (b, a) in enumerate(zip(before, after, strict=True)) for c in changes(b, a, [*here, i])]
    return [(here, after)]


def apply_changes(data: Any, made: list[Change]) -> Any:
    """``data`` with ``made`` applied (``changes``' inverse); raises ValueError on a path it does not have."""
    for path, value in made:
        if not path:
            data = value
            continue
        node = data
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"the typing log names {path!r}, which the letter does not have") from exc
    return data


def text_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TypingState:
    """The letter the typing log left: what was on screen when the window stopped."""

    letter_id: int | None        # as the database last named it (a new letter saved meanwhile has its id)
    base_version: int | None     # the version the text on screen is an edit of
    data: dict[str, Any]
    unsaved: bool                # the text on screen is not what the database (or autosave) last held
    recorded_at: dt.datetime


class TypingLog:
    """The typing log of one user's window (``path``): appends and fsyncs on a thread of its own, so
    typing never waits on the disk; an edit is on disk a few milliseconds after ``edit`` returns."""

    def __init__(self, path: Path | Callable[[], Path], user: str | Callable[[], str]) -> None:
        self._path = path
        self._user = user
        self._last: dict[str, Any] | None = None
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._at: Path | None = None
        self.failure: BaseException | None = None

    @property
    def path(self) -> Path:
        return self._path if isinstance(self._path, Path) else self._path()

    # -- what the window says (GUI thread) ---------------------------------------------------------
    def begin(self, letter_id: int | None, base_version: int | None, data: dict[str, Any], *,
              unsaved: bool) -> None:
        """Another letter is on screen (``unsaved``: its text is a restored edit, not the database's)."""
        self._last = json.loads(json.dumps(data))
        user = self._user if isinstance(self._user, str) else self._user()
        line = {"kind": "letter", "user": user, "letter_id": letter_id, "base_version": base_version,
                "clean": None if unsaved else text_hash(data), "at": _now(), "data": data}
        self._put("begin", (self.path, _line(line)))

    def edit(self, data: dict[str, Any]) -> None:
        """The letter on screen is now ``data``: what changed since the last call is appended."""
        if self._last is None:
            return
        made = changes(self._last, data)
        if not made:
            return
        self._last = json.loads(json.dumps(data))
        self._put("append", _line({"kind": "edit", "at": _now(), "changes": made}))

    def saved(self, letter_id: int, version: int, data: dict[str, Any]) -> None:
        """The database holds ``data`` as ``version`` of letter ``letter_id``."""
        if self._last is None:
            return
        self._put("append", _line({"kind": "saved", "at": _now(), "letter_id": letter_id, "version": version,
                                   "clean": text_hash(data)}))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything said so far is on disk."""
        done = threading.Event()
        self._put("flush", done)
        done.wait(timeout)

    def close(self, *, remove: bool) -> None:
        """The window closes: nothing more comes; ``remove`` when what it showed is kept elsewhere."""
        if self._thread is not None:
            self._queue.put(("stop", None))
            self._thread.join(10)
            self._thread = None
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        self._last = None

    # -- the writer (its own thread) ---------------------------------------------------------------
    def _put(self, kind: str, item: Any) -> None:
        self._queue.put((kind, item))
        if self._thread is None:
            self._thread = threading.Thread(target=self._write_all, name="typing-log", daemon=True)
            self._thread.start()

    def _write_all(self) -> None:
        while True:
            batch = [self._queue.get()]
            while not self._queue.empty():  # whatever came meanwhile goes to disk with one fsync
                batch.append(self._queue.get_nowait())
            try:
                stop = self._write(batch)
            except OSError as exc:  # a full disk: the autosave and the database still keep the letter
                self.failure = exc
                log.warning("the typing log could not be written: %s", exc)
                self._close_fd()
                stop = any(kind == "stop" for kind, _ in batch)
            for kind, item in batch:
                if kind == "flush":
                    item.set()
            if stop:
                self._close_fd()
                return

    def _write(self, batch: list[tuple[str, Any]]) -> bool:
        pending = b""
        for kind, item in batch:
            if kind == "begin":
                pending = b""
                path, line = item
                self._close_fd()
                make_private_folder(path.parent)
                atomic_write(path, line)
                self._at = path
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            elif kind == "append":
                pending += item
            elif kind == "stop":
                break
        if pending and self._fd is not None:
            os.write(self._fd, pending)
            os.fsync(self._fd)
        return any(kind == "stop" for kind, _ in batch)

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    # -- what a start finds --------------------------------------------------------------------------
    @staticmethod
    def read(path: Path, user: str) -> TypingState | None:
        """The letter the log left (None: no log, or not this user's); a torn last line is left out."""
        try:
            lines = path.read_bytes().splitlines()
        except OSError:
            return None
        state: dict[str, Any] | None = None
        for raw in lines:
            try:
                line = json.loads(raw)
                kind = line["kind"]
                if kind == "letter":
                    if line.get("user") != user:
                        return None  # copied here from someone else's folder: not this user's edit
                    state = {"letter_id": line["letter_id"], "base_version": line["base_version"],
                             "data": line["data"], "clean": line["clean"], "at": line["at"]}
                elif state is None:
                    continue
                elif kind == "edit":
                    state["data"] = apply_changes(state["data"], [(list(p), v) for p, v in line["changes"]])
                    state["at"] = line["at"]
                elif kind == "saved":
                    state.update(letter_id=line["letter_id"], base_version=line["version"], clean=line["clean"])
            except (ValueError, KeyError, TypeError):
                break  # a line torn by the crash (only the last can be): everything before it holds
        if state is None or not isinstance(state["data"], dict):
            return None
        return TypingState(state["letter_id"], state["base_version"], state["data"],
                           state["clean"] != text_hash(state["data"]), dt.datetime.fromisoformat(state["at"]))


def _now() -> str:
    return utc_now().isoformat()


def _line(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
