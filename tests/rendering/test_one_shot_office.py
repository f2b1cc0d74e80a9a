"""The one-shot LibreOffice (no python3-uno): one that hangs is ended with the pipe it made."""

from __future__ import annotations

import os
import secrets
import sys
import textwrap
from pathlib import Path

import pytest

from app.core import hostos
from app.core.errors import ConversionError
from app.rendering.pdf import OneShotConverter

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the office's pipes in /proc")


def test_a_hung_one_shot_office_is_ended_and_its_pipe_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in for soffice that makes its pipe as LibreOffice does, says so, and never finishes.
    pipe = Path(hostos.OFFICE_PIPE_ROOT) / f"{hostos.office_pipe_prefix()}SingleOfficeIPC_{secrets.token_hex(16)}"
    bound = tmp_path / "bound"
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexec " + sys.executable + " -c '" + textwrap.dedent(f"""
        import socket, time
        server = socket.socket(socket.AF_UNIX)
        server.bind("{pipe}")
        server.listen()
        open("{bound}", "w").close()
        time.sleep(600)
    """).replace("'", '"') + "'\n")
    fake.chmod(0o700)
    monkeypatch.setenv("CHAMBERS_SOFFICE", str(fake))
    converter = OneShotConverter(timeout=10)
    try:
        with pytest.raises(ConversionError, match="did not finish the PDF within 10 seconds"):
            converter.convert(b"PK not really a letter")
        assert bound.exists(), "the stand-in never made its pipe; the test would prove nothing"
        assert not os.path.lexists(pipe), "the killed office's pipe was left behind"
    finally:
        converter.close()
        pipe.unlink(missing_ok=True)
