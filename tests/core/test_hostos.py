"""The platform calls: private folders whatever the umask, and opens that never block or follow links."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from app.core import hostos

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and modes")


def test_a_private_folder_refuses_everyone_else_whatever_the_umask(tmp_path: Path) -> None:
    before = os.umask(0)
    try:
        folder = hostos.private_folder("office-", str(tmp_path))
    finally:
        os.umask(before)
    assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    assert folder.parent == tmp_path


@pytest.mark.parametrize("planted", ["open to others", "a link to a private folder", "a file"])
def test_a_folder_that_is_not_private_is_refused(tmp_path: Path, planted: str) -> None:
    target = tmp_path / "planted"
    if planted == "open to others":
        target.mkdir()
        target.chmod(0o755)
    elif planted == "a link to a private folder":
        real = tmp_path / "real"
        real.mkdir(mode=0o700)
        target.symlink_to(real)
    else:
        target.write_bytes(b"")
    with pytest.raises(PermissionError):
        hostos.check_private_folder(target)


def test_a_regular_file_is_read_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "kept.bin"
    path.write_bytes(b"x" * 100)
    assert hostos.read_regular(path) == b"x" * 100
    assert hostos.read_regular(path, 100) == b"x" * 100
    with pytest.raises(hostos.NotARegularFile, match="larger than 99 bytes"):
        hostos.read_regular(path, 99)


@pytest.mark.parametrize("planted", ["fifo", "link", "folder"])
def test_anything_but_a_regular_file_is_refused_without_being_read(tmp_path: Path, planted: str) -> None:
    real = tmp_path / "real.bin"
    real.write_bytes(b"data")
    path = tmp_path / "kept.bin"
    if planted == "fifo":
        os.mkfifo(path)  # no writer: a plain open for reading would wait for ever
    elif planted == "link":
        path.symlink_to(real)
    else:
        path.mkdir()
    with pytest.raises(OSError):  # noqa: PT011 - the folder case is the system's own EISDIR or ours
        hostos.read_regular(path)
