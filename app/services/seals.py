"""The office's seal images on this computer: a start shows the last letter, seal and all, before the
database is open."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from app.core import hostos
from app.core.files import atomic_write, make_private_folder

#: A seal image larger than this is not kept on this computer (the database still has it).
MAX_KEPT_SEAL = 2 * 1024 * 1024


class SealCache(Mapping[str, bytes]):
    """Seal images by their reference ("sha256:<hex>"), kept on this computer once read.

    A letter pins its seal by hash, so a start can show the last letter, seal and all, before the
    database is open: a copy in ``folder`` (owner-only, next to the recovery journal) is used only
    if its bytes have that hash; any other is read from the database (``fetch``) and kept.
    """

    FOLDER = ".seals"  # never a user's folder: user names do not start with a dot

    def __init__(self, folder: Path, fetch: Callable[[str], bytes]) -> None:
        self.folder = folder
        self._fetch = fetch
        self._found: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _path(self, reference: str) -> Path | None:
        digest = reference.removeprefix("sha256:")
        if not reference.startswith("sha256:") or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        return self.folder / f"{digest}.png"

    def _kept(self, reference: str) -> bytes | None:
        path = self._path(reference)
        if path is None:
            return None
        try:
            # Only a regular file is read: a FIFO planted here would block the window for ever.
            data = hostos.read_regular(path, MAX_KEPT_SEAL)
        except OSError:
            return None
        return data if "sha256:" + hashlib.sha256(data).hexdigest() == reference else None

    def __getitem__(self, reference: str) -> bytes:
        with self._lock:
            found = self._found.get(reference)
        if found is not None:
            return found
        data = self._kept(reference)
        if data is None:
            data = self._fetch(reference)  # KeyError when the office has no such seal
            path = self._path(reference)
            if path is not None and "sha256:" + hashlib.sha256(data).hexdigest() == reference:
                try:
                    make_private_folder(self.folder)
                    atomic_write(path, data, durable=False)
                except OSError:
                    pass  # only a copy: the database still has it
        with self._lock:
            self._found[reference] = data
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._found))  # those read so far: the office's store is not listed

    def __len__(self) -> int:
        return len(self._found)
