"""The far end of the resident converter: runs under the Python that has LibreOffice's ``uno``.

Chambers' own interpreter (a venv) cannot import ``uno``, which is built for the system Python
(Debian's python3-uno). So ``app.rendering.pdf`` starts this file as a small bridge process
under that Python; the bridge starts one LibreOffice of its own and converts on request.
Requests and replies are one JSON object a line on stdin/stdout.

What the office makes lives in two private folders (0700, random names) that the caller made:
the run folder (profile, and LibreOffice's temporary files through $TMPDIR) and the pipe
folder, in /tmp, where LibreOffice insists on putting its UNO pipe. The office runs under umask
077, so even the single-instance pipe it makes in /tmp itself refuses everyone else.

Neither the bridge nor its office outlives its parent: when stdin closes, the parent changes,
a signal ends it, or anything at all goes wrong, the bridge kills the office, removes the pipe
sockets it made and both folders, and exits. The office is started as ``soffice.bin`` itself,
not through the ``oosplash`` wrapper, and asks the kernel to be killed when the bridge dies, so
even a kill -9 of the bridge cannot leave it running. The only import from ``app`` is the
stdlib-only module of platform calls, loaded by its path.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CONNECT_SECONDS = 60.0
RESTART_CODE = 81  # soffice.bin asks to be started again (a new profile); oosplash would do it
MAX_RESTARTS = 3

_spec = importlib.util.spec_from_file_location(
    "chambers_hostos", Path(__file__).resolve().parents[1] / "core" / "hostos.py")
assert _spec is not None
assert _spec.loader is not None
hostos = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostos)


class Office:
    """One LibreOffice and everything it leaves on disk, ended together."""

    def __init__(self, soffice: str, run: Path, pipes: Path) -> None:
        self.program = _office_binary(soffice)
        self.run, self.pipes = run, pipes
        self.pipe = pipes.name[len(hostos.office_pipe_prefix()):] + "/office"
        self.process: subprocess.Popen[bytes] | None = None
        self.sockets: set[str] = set()
        self._lock = threading.RLock()  # a signal may end the bridge inside start()
        self._ended = False

    def start(self) -> subprocess.Popen[bytes]:
        for folder in (self.run, self.pipes):
            hostos.check_private_folder(folder)
        (self.run / "tmp").mkdir(mode=0o700, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(self.run / "tmp"), "TMP": str(self.run / "tmp"),
               "TEMP": str(self.run / "tmp"), "SAL_ENABLE_FILE_LOCKING": "1"}
        with self._lock:
            if self._ended:
                raise RuntimeError("the bridge is ending")
            # Started by the bridge's main thread, which lives as long as the bridge: the death
            # signal it asks for fires when the bridge dies, however it dies.
            self.process = subprocess.Popen(
                [self.program, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault",
                 "--nologo", f"-env:UserInstallation={(self.run / 'profile').as_uri()}",
                 f"--accept=pipe,name={self.pipe};urp;"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=env, umask=0o077, preexec_fn=hostos.die_with_parent)
            return self.process

    def note_sockets(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            self.sockets.update(hostos.listening_sockets(process.pid))

    def end(self, parent_gone: bool = False) -> None:
        """Kill the office, then remove what it made; safe to call from any thread, once.

        When the parent is gone it cannot clear its own folder of letters being converted
        (the run folder's parent), so the bridge does.
        """
        with self._lock:
            if self._ended:
                return
            self._ended = True
            self.note_sockets()
            process = self.process
            if process is not None:
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                    process.kill()
                    process.wait(timeout=10)
            hostos.remove_office_pipes(self.sockets)
            shutil.rmtree(self.pipes, ignore_errors=True)
            shutil.rmtree(self.run, ignore_errors=True)
            if parent_gone:
                shutil.rmtree(self.run.parent, ignore_errors=True)


def _office_binary(soffice: str) -> str:
    # soffice is a shell script that execs oosplash, which forks soffice.bin: a death signal
    # asked for by the first is lost at that fork. So the office proper is started directly.
    real = Path(os.path.realpath(soffice))
    binary = real.with_name("soffice.bin")
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else soffice


_office: Office | None = None


def _die(*_: object, parent_gone: bool = False) -> None:
    # Whatever ends the bridge ends its office and clears what the office left on disk.
    try:
        if _office is not None:
            _office.end(parent_gone)
    finally:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _die(parent_gone=True)


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _property(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(office: Office) -> Any:
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    process = office.start()
    restarts = 0
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={office.pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except NoConnectException:
            code = process.poll()
            if code == RESTART_CODE and restarts < MAX_RESTARTS:
                restarts += 1
                process = office.start()
            elif code is not None:
                raise RuntimeError(f"LibreOffice exited while starting (code {code})") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"LibreOffice did not accept a connection within {CONNECT_SECONDS:g} s") from None
            time.sleep(0.05)


def _filter_data(options: dict[str, Any]) -> Any:
    import uno

    # The export filter's own option names (SelectPdfVersion, UseTaggedPDF, ...), as the caller gave them.
    values = tuple(_property(name, value) for name, value in options.items())
    return uno.Any("[]com.sun.star.beans.PropertyValue", values)


def _convert(desktop: Any, source: str, target: str, options: dict[str, Any] | None = None) -> None:
    import uno

    # No macros, no updating of links: a letter is printed as it is, never as it fetches.
    load = (_property("Hidden", True), _property("ReadOnly", True), _property("MacroExecutionMode", 0),
            _property("UpdateDocMode", 0))
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, load)
    if document is None:
        raise RuntimeError("LibreOffice could not open the letter")
    try:
        store = [_property("FilterName", "writer_pdf_Export")]
        if options:
            store.append(_property("FilterData", _filter_data(options)))
        uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(target), tuple(store)))
    finally:
        document.close(True)


def _alive(desktop: Any, office: subprocess.Popen[bytes]) -> bool:
    if office.poll() is not None:
        return False
    try:
        desktop.getComponents()
    except Exception:  # a disposed bridge raises UNO's own exception types
        return False
    return True


def _serve(office: Office) -> bool:
    """Convert on request until stdin closes (True: the parent is gone) or the office dies (False)."""
    desktop = _connect(office)
    process = office.process
    assert process is not None
    # The pipe must be where we asked: inside our private folder, not in /tmp for all to see.
    if not (office.pipes / "office").exists():
        raise RuntimeError(f"LibreOffice did not make its pipe in {office.pipes}; it is not used")
    office.note_sockets()
    _reply({"ready": True, "pid": process.pid, "sockets": sorted(office.sockets)})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            _convert(desktop, request["in"], request["out"], request.get("filter"))
            _reply({"id": request.get("id"), "ok": True})
        except Exception as exc:  # every failure goes back to the caller as a message
            died = not _alive(desktop, process)
            _reply({"id": None, "ok": False, "died": died, "error": f"{type(exc).__name__}: {exc}"})
            if died:
                return False
    return True


def main() -> int:
    global _office
    soffice, run, pipes = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    parent = os.getppid()
    os.umask(0o077)
    _office = Office(soffice, run, pipes)
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, _die)
    # Only the parent reads our stdout: a reply that cannot be written means it is gone.
    signal.signal(signal.SIGPIPE, lambda *_: _die(parent_gone=True))
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        # stdin closes only when the parent is gone (a living parent ends us with SIGKILL).
        parent_gone = _serve(_office)
    except BaseException as exc:  # whatever it was, the office must end with us
        parent_gone = isinstance(exc, BrokenPipeError) or os.getppid() != parent
        try:
            if not parent_gone:
                _reply({"ready": False, "died": True, "error": str(exc) or type(exc).__name__})
        finally:
            _die(parent_gone=parent_gone)
    _die(parent_gone=parent_gone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
