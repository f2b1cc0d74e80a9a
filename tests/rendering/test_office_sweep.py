"""What offices leave when their process and bridge are killed together is cleared by the next start."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

import pytest

from app.core import hostos
from app.rendering import pdf

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LibreOffice's /tmp pipes, /proc")


def _left_office(tmp_path: Path, parent: str | None, name: str) -> tuple[Path, Path, Path]:
    """A pipe folder, a folder of letters and a /tmp pipe, as an office of ``parent`` leaves them."""
    work = hostos.private_folder("chambers-office-", str(tmp_path))
    (work / "run-1" / "profile").mkdir(parents=True)
    pipes = hostos.private_folder(hostos.office_pipe_prefix() + "chambers-office-", hostos.OFFICE_PIPE_ROOT)
    ipc = Path(hostos.OFFICE_PIPE_ROOT) / f"{hostos.office_pipe_prefix()}SingleOfficeIPC_{secrets.token_hex(16)}"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(ipc))
    server.close()  # the socket file stays, as a killed office's does
    bystander = tmp_path / f"{name}-bystander.txt"
    bystander.write_text("not an office's", encoding="utf-8")
    owner = {"parent": parent, "work": str(work), "sockets": [str(ipc), str(bystander), "/etc/passwd"]}
    (pipes / pdf.OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
    return work, pipes, ipc


def test_the_next_start_clears_what_a_dead_process_left_and_nothing_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "_swept", False)
    me = hostos.process_identity(os.getpid())
    assert me is not None
    dead = f"{os.getpid()}:0"  # our pid with a start time no live process has: a pid reused
    gone = _left_office(tmp_path, dead, "gone")
    alive = _left_office(tmp_path, me, "alive")
    try:
        pdf.sweep_stale_offices()
        assert [path for path in gone if os.path.lexists(path)] == [], "a dead office's files were left"
        assert all(os.path.lexists(path) for path in alive), "a live office's files were removed"
        assert (tmp_path / "gone-bystander.txt").exists()  # listed, but no office pipe: never removed
        assert Path("/etc/passwd").exists()
    finally:
        work, pipes, ipc = alive
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(pipes, ignore_errors=True)
        ipc.unlink(missing_ok=True)
        for path in gone:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
