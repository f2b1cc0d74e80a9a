"""The few calls that differ by operating system: death signals, private folders, safe opens.

Everything that asks the kernel for something platform-specific lives here, so that it can be
moved (or given a Windows or macOS branch) in one place. This module imports only the standard
library and nothing from ``app``: the LibreOffice bridge (``app/rendering/uno_bridge.py``), which
runs under another Python, loads it by its path.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import signal
import stat
import sys
import tempfile
from pathlib import Path

_PR_SET_PDEATHSIG = 1
LINUX = sys.platform.startswith("linux")

# LibreOffice (sal/osl/unx/pipe.cxx) puts every UNO pipe socket in the literal folder "/tmp"
# whenever that is writable, whatever $TMPDIR says (checked on LibreOffice 7.4: TMPDIR moves
# only its lu*.tmp folders). Its file is "/tmp/OSL_PIPE_<uid>_<pipe name>", so a pipe name
# "<folder>/office" puts the socket inside a folder of ours whose name starts that way.
OFFICE_PIPE_ROOT = "/tmp"


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when the thread that started it ends (Linux).

    Returns False where there is no such request (the caller then watches its parent itself).
    PR_SET_PDEATHSIG follows the *thread* that forked us, and survives exec but not fork: each
    process that must die has to ask for itself, or be started by a long-lived thread that asks.
    """
    if not LINUX:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def malloc_option(option: int, value: int) -> bool:
    """Set one of the C library's allocator options (glibc's ``mallopt``); False where there is none
    (not Linux, or not glibc: musl has no mallopt), and its own policy stands."""
    if not LINUX:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(option, value))


def private_folder(prefix: str, parent: str | None = None) -> Path:
    """A new folder with a random name that only this user can enter (0700), checked after making.

    ``tempfile.mkdtemp`` creates it with mode 0700 whatever the umask; the check refuses a folder
    that is not a real folder of ours with no access for anyone else (a link, a planted folder).
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    check_private_folder(folder)
    return folder


def check_private_folder(folder: Path) -> None:
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise PermissionError(f"{folder}: not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PermissionError(f"{folder}: not owned by this user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise PermissionError(f"{folder}: others may enter it (mode {stat.S_IMODE(info.st_mode):o})")


def office_pipe_prefix() -> str:
    """The start LibreOffice gives every pipe file of this user: ``OSL_PIPE_<uid>_``."""
    return f"OSL_PIPE_{os.getuid() if hasattr(os, 'getuid') else 0}_"


def is_office_pipe(path: str) -> bool:
    """Whether ``path`` is a pipe socket of this user's LibreOffice: one in /tmp named as LibreOffice
    names them, or in one of our private pipe folders there. Nothing else is ever removed as one."""
    pipe = Path(path)
    prefix = office_pipe_prefix()
    where = pipe.parent
    if not (str(where) == OFFICE_PIPE_ROOT and pipe.name.startswith(prefix)) and \
            not (str(where.parent) == OFFICE_PIPE_ROOT and where.name.startswith(prefix + "chambers-office-")):
        return False
    try:
        info = pipe.lstat()
    except OSError:
        return False
    return stat.S_ISSOCK(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid())


def remove_office_pipes(paths: list[str] | set[str]) -> None:
    """Unlink those of ``paths`` that are this user's LibreOffice pipes (``is_office_pipe``)."""
    for path in paths:
        if is_office_pipe(path):
            with contextlib.suppress(OSError):
                os.unlink(path)


def listening_sockets(pid: int) -> list[str]:
    """The paths of the Unix sockets that process ``pid`` holds (Linux /proc; elsewhere none).

    LibreOffice's single-instance pipe ("OSL_PIPE_<uid>_SingleOfficeIPC_<hash>") is always made
    in /tmp and never removed when it is killed; this is how its owner finds it to remove it.
    """
    if not LINUX:
        return []
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as table:
            lines = table.read().splitlines()[1:]
    except OSError:
        return []
    paths = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 8 and fields[6] in inodes and fields[7].startswith("/"):
            paths.append(fields[7])
    return sorted(set(paths))


def group_members(group: int) -> list[int]:
    """The live processes of process group ``group`` (Linux /proc; elsewhere none)."""
    if not LINUX:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) == group:
            found.append(int(entry))
    return found


def process_identity(pid: int) -> str | None:
    """A live process's pid with its start time (so a reused pid is not taken for it), or None
    when no such process runs. Where /proc is not there, the pid alone when it exists."""
    if LINUX:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return None if fields[0] in ("Z", "X") else f"{pid}:{fields[19]}"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass
    return str(pid)


def kill_group(group: int) -> None:
    """SIGKILL a whole process group (no error if it is gone)."""
    with contextlib.suppress(OSError, AttributeError):
        os.killpg(group, signal.SIGKILL)


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a folder or a link, which a cache never opens."""


def open_regular(path: Path | str) -> int:
    """Open ``path`` for reading only if it is a regular file reached without following a link.

    O_NOFOLLOW refuses a link; O_NONBLOCK means a FIFO or a device cannot block the open itself
    (a FIFO with no writer would hang the caller forever); the type is then checked on the open
    descriptor (no window between check and use) and blocking mode restored for the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if getattr(os, "O_NOFOLLOW", 0) and exc.errno in (errno.ELOOP, errno.EMLINK):  # FreeBSD says EMLINK
            raise NotARegularFile(exc.errno, "a link, not a file", str(path)) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(0, "not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (see ``open_regular``); more than ``limit`` bytes is refused."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as stream:
        if limit is None:
            return stream.read()
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise NotARegularFile(0, f"larger than {limit:,} bytes", str(path))
    return data


# --- the PyInstaller bundle ------------------------------------------------------------------------
# In the bundle ``sys.executable`` is the ``chambers`` or ``chambers-desk`` program itself, not a
# Python: where Chambers runs ``sys.executable -m MODULE`` (the spelling word list is built in a
# process of its own) the bundled program runs that module instead of reading ``-m`` as a window
# option.
# The modules Chambers itself runs as ``sys.executable -m MODULE``; nothing else is run this way.
RUNNABLE = ("app.services.spelling",)


def frozen() -> bool:
    """Whether this is the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def run_frozen_module(argv: list[str]) -> int | None:
    """In the bundle, ``PROGRAM -m MODULE ARGS`` runs MODULE as ``python -m`` would (its exit code);
    None when ``argv`` asks for something else."""
    if not frozen() or len(argv) < 3 or argv[1] != "-m":
        return None
    if argv[2] not in RUNNABLE:
        sys.exit(f"{argv[0]}: -m {argv[2]}: not a module Chambers runs")
    sys.argv = [argv[2], *argv[3:]]
    import runpy

    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    return 0
