"""Writing files so that an existing file is never left half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, data: bytes, check: Callable[[Path], None] | None = None,
                 *, durable: bool = True, sync_folder: bool = True) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, read back and
    compared (and given to ``check``, which raises if the file is unfit), and only then
    replace ``path``. On any failure the temporary file is removed and ``path`` is untouched.
    ``durable=False`` skips the fsyncs; only for files that are cheap to make again.
    ``sync_folder=False`` leaves the folder's fsync (which makes the rename itself durable) to
    the caller, who writes many files into one folder and syncs it once with ``sync_folder``.
    """
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        if tmp.read_bytes() != data:
            raise OSError(f"{path}: the file read back differs from what was written")
        if check is not None:
            check(tmp)
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        if durable and sync_folder:
            fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def fsync_folder(folder: Path) -> None:
    """Make the renames and new names in ``folder`` durable (a no-op where unsupported)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
