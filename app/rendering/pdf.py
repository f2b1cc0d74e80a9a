"""PDF through LibreOffice: one resident office per process, a one-shot ``soffice`` as the fallback.

Starting LibreOffice costs about a second; converting a letter in a running one costs tens of
milliseconds. So a process keeps one LibreOffice (``ResidentOffice``), started on first need
with a profile of its own and driven over UNO through a small bridge process
(``uno_bridge.py``, run by the Python that has LibreOffice's ``uno`` module: Debian's
python3-uno). It is reused for every conversion, restarted when it dies or hangs, shut down
with the process, and never outlives it (the bridge ends itself and LibreOffice when its
parent goes, however it went). Where UNO is not available, each conversion starts its own
``soffice --convert-to pdf`` (``OneShotConverter``), as before, and ``conversion_mode()``
says so for the clerk.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.core import hostos
from app.core.errors import ConversionError
from app.core.files import atomic_write

CANDIDATES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT = 120.0
START_TIMEOUT = 60.0
INSTALL_HINT = ("LibreOffice is not installed, so PDF cannot be made. Install it "
                "(Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui) and try again.")
UNO_HINT = ("LibreOffice's Python bridge is not installed, so every PDF starts LibreOffice anew "
            "(about a second each). Install it (Debian/Ubuntu: sudo apt-get install python3-uno) "
            "for PDF and page views in tens of milliseconds.")
BRIDGE = Path(__file__).with_name("uno_bridge.py")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "/opt/libreoffice/program/python")


def find_soffice() -> str | None:
    """The LibreOffice program, from $CHAMBERS_SOFFICE or the PATH, or None."""
    configured = os.environ.get("CHAMBERS_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


_uno_python: tuple[str | None] | None = None


def find_uno_python() -> str | None:
    """A Python that can ``import uno`` ($CHAMBERS_UNO_PYTHON first), or None; asked once a process."""
    global _uno_python
    if os.environ.get("CHAMBERS_NO_UNO") == "1":
        return None
    if _uno_python is None:
        configured = os.environ.get("CHAMBERS_UNO_PYTHON")
        found = None
        for candidate in ([configured] if configured else list(UNO_PYTHONS)):
            if not Path(candidate).exists():
                continue
            try:
                probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=20,
                                       stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if probe.returncode == 0:
                found = candidate
                break
        _uno_python = (found,)
    return _uno_python[0]


def conversion_mode() -> tuple[str, str]:
    """("resident" | "one-shot" | "unavailable", a sentence for the clerk when it is not resident)."""
    if find_soffice() is None:
        return "unavailable", INSTALL_HINT
    if find_uno_python() is None:
        return "one-shot", UNO_HINT
    return "resident", ""


@dataclass(frozen=True)
class PdfOptions:
    """What LibreOffice's PDF export is asked for beyond a plain PDF, in its own filter options.

    ``archival``: PDF/A-3b (``SelectPdfVersion`` 3): fonts embedded, an sRGB output intent and
    XMP metadata with the document's title, author and subject; A-3 rather than A-2 because the
    signed letter carries its approved .docx as an associated file, which only A-3 allows.
    ``pdfa_part`` 2 asks for PDF/A-2b instead, for a letter that leaves with nothing embedded.
    ``tagged``: a structure tree in reading order with the document language (Section 508).
    """

    archival: bool = False
    tagged: bool = False
    pdfa_part: int = 3

    def filter_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.archival:
            data["SelectPdfVersion"] = self.pdfa_part
        if self.tagged:
            data["UseTaggedPDF"] = True
            data["ExportBookmarks"] = True  # headings as bookmarks: a tagged letter reads as it is laid out
        return data

    def convert_to(self) -> str:
        """The ``--convert-to`` argument of a one-shot ``soffice`` (JSON filter options, LibreOffice 7.4+)."""
        data = self.filter_data()
        if not data:
            return "pdf:writer_pdf_Export"
        typed = {name: {"type": "boolean" if isinstance(value, bool) else "long", "value": str(value).lower()
                        if isinstance(value, bool) else str(value)} for name, value in data.items()}
        return "pdf:writer_pdf_Export:" + json.dumps(typed)


# A signed letter leaves the court as tagged PDF/A.
ARCHIVAL_TAGGED = PdfOptions(archival=True, tagged=True)
# Every other exported letter (final or draft, one file or a copy per addressee, the command line or
# the window) leaves as tagged PDF/A too, for records and Section 508: PDF/A-2b, since it carries
# no embedded .docx (the part a records officer's validator expects of a plain archival PDF).
EXPORTED = PdfOptions(archival=True, tagged=True, pdfa_part=2)


class Converter(Protocol):
    def convert(self, docx: bytes, options: PdfOptions | None = None) -> bytes: ...

    def close(self) -> None: ...


def _check_pdf(data: bytes) -> bytes:
    if not data.startswith(b"%PDF"):
        raise ConversionError("LibreOffice produced something that is not a PDF")
    return data


OWNER_FILE = "owner.json"
_swept = False


def sweep_stale_offices() -> None:
    """Remove what offices of ours left when their process and bridge were killed at once.

    Each office's pipe folder in /tmp names the process it belongs to (pid and start time), that
    process's folder of letters being converted, and the pipes LibreOffice made in /tmp itself.
    Normally the bridge or the process removes all of it; only when both were killed together
    (the OOM killer, a kill -9 of both) is it left, and the next start of this user clears it.
    Folders of a process that still runs are never touched. Once a process.
    """
    global _swept
    if _swept:
        return
    _swept = True
    prefix = hostos.office_pipe_prefix()
    try:
        names = [n for n in os.listdir(hostos.OFFICE_PIPE_ROOT) if n.startswith(prefix + "chambers-office-")]
    except OSError:
        return
    for name in names:
        folder = Path(hostos.OFFICE_PIPE_ROOT) / name
        try:
            hostos.check_private_folder(folder)
            owner = json.loads(hostos.read_regular(folder / OWNER_FILE, 64 * 1024))
        except (OSError, ValueError):
            continue  # not ours, or still being made: left alone
        if not isinstance(owner, dict) or not isinstance(owner.get("parent"), str):
            continue
        pid = owner["parent"].split(":", 1)[0]
        if pid.isdigit() and hostos.process_identity(int(pid)) == owner["parent"]:
            continue  # its process runs: the office may be in use
        hostos.remove_office_pipes([path for path in owner.get("sockets", []) if isinstance(path, str)])
        work = owner.get("work")
        if isinstance(work, str) and Path(work).name.startswith("chambers-office-"):
            with contextlib.suppress(OSError):
                hostos.check_private_folder(Path(work))
                shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def _private_folder(prefix: str, parent: str | None = None) -> Path:
    try:
        return hostos.private_folder(prefix, parent)
    except OSError as exc:
        raise ConversionError(f"LibreOffice cannot be given a private folder ({exc})") from None


class ResidentOffice:
    """One LibreOffice kept running, driven over UNO; one conversion at a time.

    Every conversion has a deadline: a LibreOffice that does not answer in time is killed (with
    its bridge, as one process group) and the next conversion starts a new one. One that dies
    mid-conversion is restarted and the conversion retried once.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, soffice: str | None = None,
                 uno_python: str | None = None) -> None:
        self.timeout = timeout
        self._soffice = soffice or find_soffice()
        self._python = uno_python or find_uno_python()
        if self._soffice is None:
            raise ConversionError(INSTALL_HINT)
        if self._python is None:
            raise ConversionError(UNO_HINT)
        self._lock = threading.Lock()
        self._bridge: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        # Where the office's files go: this folder (letters being converted, and per start a
        # run folder with its profile and temporary files) and per start a pipe folder in /tmp.
        # All private (0700, random names), all removed with the office.
        self._work = _private_folder("chambers-office-")
        self._run: Path | None = None
        self._pipes: Path | None = None
        self._sockets: list[str] = []
        self._closed = False
        self.starts = 0
        self.office_pid: int | None = None

    @property
    def process_group(self) -> int | None:
        """The process group of the bridge and its LibreOffice (None while none runs)."""
        return self._bridge.pid if self._bridge is not None else None

    # -- process management -------------------------------------------------------------
    def _read(self, bridge: subprocess.Popen[bytes], replies: queue.Queue[dict[str, Any] | None]) -> None:
        assert bridge.stdout is not None
        for line in bridge.stdout:
            try:
                replies.put(json.loads(line))
            except ValueError:
                continue
        replies.put(None)  # the bridge is gone

    def _start(self) -> subprocess.Popen[bytes]:
        assert self._soffice is not None
        assert self._python is not None
        self._replies = queue.Queue()
        self._run = _private_folder("run-", str(self._work))
        self._pipes = _private_folder(hostos.office_pipe_prefix() + "chambers-office-", hostos.OFFICE_PIPE_ROOT)
        sweep_stale_offices()
        # Who this office belongs to, for a later sweep when everything was killed at once.
        owner: dict[str, Any] = {"parent": hostos.process_identity(os.getpid()), "work": str(self._work)}
        (self._pipes / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
        try:
            bridge = subprocess.Popen(
                [self._python, str(BRIDGE), self._soffice, str(self._run), str(self._pipes)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True)
        except OSError as exc:
            self._kill()
            raise ConversionError(f"LibreOffice could not be started ({exc})") from None
        threading.Thread(target=self._read, args=(bridge, self._replies), daemon=True,
                         name="chambers-office-reader").start()
        self._bridge = bridge
        self.starts += 1
        ready = self._wait(START_TIMEOUT, "start")
        if not ready.get("ready"):
            self._kill()
            raise ConversionError(f"LibreOffice could not be started: {ready.get('error', 'no answer')}")
        self.office_pid = ready.get("pid")
        self._sockets = [str(path) for path in ready.get("sockets", [])]
        with contextlib.suppress(OSError):
            owner["sockets"] = self._sockets
            (self._pipes / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
        return bridge

    @property
    def litter(self) -> list[Path]:
        """What the running office has on disk (its folders and pipe sockets): gone when it ends."""
        return [path for path in (self._run, self._pipes) if path is not None] + \
            [Path(path) for path in self._sockets]

    def _wait(self, seconds: float, what: str) -> dict[str, Any]:
        try:
            reply = self._replies.get(timeout=seconds)
        except queue.Empty:
            self._kill()
            raise ConversionError(f"LibreOffice did not {what} within {seconds:g} seconds; it was stopped "
                                  "and will be started again for the next letter") from None
        if reply is None:
            self._kill()
            raise _OfficeDied()
        return reply

    def _kill(self) -> None:
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            hostos.kill_group(bridge.pid)
            with contextlib.suppress(OSError, subprocess.TimeoutExpired, ValueError):
                bridge.kill()
            with contextlib.suppress(OSError, subprocess.TimeoutExpired, ValueError):
                bridge.wait(timeout=10)
            for stream in (bridge.stdin, bridge.stdout):
                with contextlib.suppress(OSError, subprocess.TimeoutExpired, ValueError):
                    if stream is not None:
                        stream.close()
        # The bridge clears these itself as it ends; when it was killed outright, we do.
        hostos.remove_office_pipes(self._sockets)
        for folder in (self._run, self._pipes):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        self._run = self._pipes = None
        self._sockets = []
        self.office_pid = None

    def start(self) -> None:
        """Start LibreOffice now unless it runs, so that its start (about a second, several on a
        busy machine) overlaps other work: a mail merge starts its offices while it reads its rows."""
        with self._lock:
            if self._closed:
                raise ConversionError("the PDF converter has been shut down")
            bridge = self._bridge
            if bridge is None or bridge.poll() is not None:
                self._kill()
                self._start()

    # -- conversion ----------------------------------------------------------------------
    def convert(self, docx: bytes, options: PdfOptions | None = None) -> bytes:
        with self._lock:
            if self._closed:
                raise ConversionError("the PDF converter has been shut down")
            try:
                return self._convert_once(docx, options)
            except _OfficeDied:
                # LibreOffice died under this letter (killed, crashed): a new one, one more try.
                try:
                    return self._convert_once(docx, options)
                except _OfficeDied:
                    raise ConversionError("LibreOffice stopped twice while converting this letter; "
                                          "the letter may be too large or damaged") from None

    def _convert_once(self, docx: bytes, options: PdfOptions | None = None) -> bytes:
        bridge = self._bridge
        if bridge is None or bridge.poll() is not None:
            self._kill()
            bridge = self._start()
        name = uuid.uuid4().hex
        source, target = self._work / f"{name}.docx", self._work / f"{name}.pdf"
        source.write_bytes(docx)
        try:
            assert bridge.stdin is not None
            try:
                request: dict[str, Any] = {"id": name, "in": str(source), "out": str(target)}
                if options is not None and options.filter_data():
                    request["filter"] = options.filter_data()
                bridge.stdin.write(json.dumps(request).encode() + b"\n")
                bridge.stdin.flush()
            except OSError:
                self._kill()
                raise _OfficeDied() from None
            reply = self._wait(self.timeout, "finish the PDF")
            if reply.get("died"):
                self._kill()
                raise _OfficeDied()
            if not reply.get("ok"):
                raise ConversionError(f"LibreOffice could not convert the letter to PDF: {reply.get('error')}")
            try:
                return _check_pdf(target.read_bytes())
            except FileNotFoundError:
                raise ConversionError("LibreOffice reported a PDF but wrote none") from None
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop LibreOffice and the bridge; waits for a conversion under way at most its timeout."""
        acquired = self._lock.acquire(timeout=self.timeout)
        try:
            self._closed = True
            self._kill()
            shutil.rmtree(self._work, ignore_errors=True)
        finally:
            if acquired:
                self._lock.release()

    def __enter__(self) -> ResidentOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _OfficeDied(ConversionError):
    def __init__(self) -> None:
        super().__init__("LibreOffice stopped while converting the letter")


_shared: ResidentOffice | None = None
_shared_lock = threading.Lock()


def shared_office() -> ResidentOffice | None:
    """This process's resident LibreOffice (started on first conversion), or None without UNO."""
    global _shared
    soffice = find_soffice()
    if soffice is None or find_uno_python() is None:
        return None
    with _shared_lock:
        stale = _shared if _shared is not None and (_shared._closed or _shared._soffice != soffice) else None
        if _shared is None or stale is not None:
            _shared = ResidentOffice(soffice=soffice)
    if stale is not None:  # the configured LibreOffice changed: the old one goes
        stale.close()
    return _shared


def shutdown() -> None:
    """Stop this process's resident LibreOffice, if one was started (the application's quit calls this)."""
    global _shared
    with _shared_lock:
        office, _shared = _shared, None
    if office is not None:
        office.close()


def _forget_in_child() -> None:
    # A forked worker must not talk to (or keep alive) its parent's LibreOffice: it starts its own.
    global _shared
    office, _shared = _shared, None
    if office is not None and office._bridge is not None:
        for stream in (office._bridge.stdin, office._bridge.stdout):
            with contextlib.suppress(OSError, subprocess.TimeoutExpired, ValueError):
                if stream is not None:
                    os.close(stream.fileno())


atexit.register(shutdown)
os.register_at_fork(after_in_child=_forget_in_child)


def own_converter(timeout: float = DEFAULT_TIMEOUT) -> ResidentOffice | OneShotConverter:
    """A converter of the caller's own, which the caller closes: a resident LibreOffice where UNO
    is installed, a one-shot ``soffice`` per conversion otherwise. A mail merge keeps one per core
    (``shared_office`` converts one letter at a time)."""
    if find_soffice() is None:
        raise ConversionError(INSTALL_HINT)
    if find_uno_python() is None:
        return OneShotConverter(timeout)
    return ResidentOffice(timeout)


class PdfConverter:
    """Converts .docx bytes to PDF bytes: through the process's resident LibreOffice when it can.

    Without UNO it falls back to a one-shot ``soffice`` per conversion with a profile of its own.
    Closing a ``PdfConverter`` never stops the shared resident office (other conversions use it).
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._one_shot: OneShotConverter | None = None

    @property
    def mode(self) -> str:
        return conversion_mode()[0]

    def convert(self, docx: bytes, options: PdfOptions | None = None) -> bytes:
        office = shared_office()
        if office is not None:
            return office.convert(docx, options)
        if self._one_shot is None:
            self._one_shot = OneShotConverter(self.timeout)
        return self._one_shot.convert(docx, options)

    def close(self) -> None:
        if self._one_shot is not None:
            self._one_shot.close()
            self._one_shot = None

    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OneShotConverter:
    """One ``soffice --convert-to pdf`` per conversion, with a profile kept for its lifetime."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        # Profile and LibreOffice's temporary files ($TMPDIR) in one private folder, removed on close.
        self._profile = _private_folder("chambers-office-")
        (self._profile / "tmp").mkdir(mode=0o700)

    def start(self) -> None:
        """Nothing to start: each conversion starts its own ``soffice``."""

    def close(self) -> None:
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> OneShotConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, docx: bytes, options: PdfOptions | None = None) -> bytes:
        soffice = find_soffice()
        if soffice is None:
            raise ConversionError(INSTALL_HINT)
        with tempfile.TemporaryDirectory(prefix="letter-", dir=self._profile) as work:
            source = Path(work) / "letter.docx"
            source.write_bytes(docx)
            command = [
                soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                f"-env:UserInstallation={(self._profile / 'profile').as_uri()}",
                "--convert-to", (options or PdfOptions()).convert_to(), "--outdir", work, str(source),
            ]
            try:
                # umask 077: the pipe LibreOffice makes in /tmp refuses everyone else.
                tmp = str(self._profile / "tmp")
                proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077,
                                        env={**os.environ, "TMPDIR": tmp, "TMP": tmp, "TEMP": tmp})
            except OSError as exc:
                raise ConversionError(f"LibreOffice could not be started ({exc})") from None
            try:
                _, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                # Killed, it cannot remove the pipe it made in /tmp: we do, once it is dead.
                sockets = [path for pid in hostos.group_members(proc.pid) for path in hostos.listening_sockets(pid)]
                hostos.kill_group(proc.pid)
                proc.communicate()
                hostos.remove_office_pipes(sockets)
                raise ConversionError(
                    f"LibreOffice did not finish the PDF within {self.timeout:g} seconds") from None
            result = Path(work) / "letter.pdf"
            if proc.returncode != 0 or not result.exists():
                detail = err.decode("utf-8", "replace").strip().splitlines()
                raise ConversionError("LibreOffice could not convert the letter to PDF"
                                      + (f": {detail[-1]}" if detail else ""))
            return _check_pdf(result.read_bytes())


def to_pdf(docx: bytes, out: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Convert ``docx`` bytes to a PDF file at ``out``, atomically."""
    with PdfConverter(timeout) as converter:
        data = converter.convert(docx)
    atomic_write(out, data)
