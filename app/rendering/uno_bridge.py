"""The far end of the resident converter: runs under the Python that has LibreOffice's ``uno``.

Chambers' own interpreter (a venv) cannot import ``uno``, which is built for the system Python
(Debian's python3-uno). So ``app.rendering.pdf`` starts this file as a small bridge process
under that Python; the bridge starts one LibreOffice of its own (own profile, UNO over a named
pipe that only this bridge knows), and converts on request. Requests and replies are one JSON
object a line on stdin/stdout.

The bridge never outlives its parent: when its stdin closes (the parent exited, was killed, or
closed the converter) or its parent process changes, it kills its own process group, which
holds LibreOffice too. This file imports nothing from ``app``: it runs under another Python.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CONNECT_SECONDS = 60.0


def _die(*_: object) -> None:
    # The whole process group: this bridge and the LibreOffice it started.
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    finally:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _die()


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _property(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, office: subprocess.Popen[bytes]) -> Any:
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except NoConnectException:
            if office.poll() is not None:
                raise RuntimeError(f"LibreOffice exited while starting (code {office.returncode})") from None
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


def main() -> int:
    soffice, profile, pipe = sys.argv[1], sys.argv[2], sys.argv[3]
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _die)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
         f"-env:UserInstallation={Path(profile).as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = _connect(pipe, office)
    except Exception as exc:  # any failure to start is reported, then the group is ended
        _reply({"ready": False, "error": str(exc)})
        _die()
    _reply({"ready": True, "pid": office.pid})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            _convert(desktop, request["in"], request["out"], request.get("filter"))
            _reply({"id": request.get("id"), "ok": True})
        except Exception as exc:  # every failure goes back to the caller as a message
            died = not _alive(desktop, office)
            _reply({"id": None, "ok": False, "died": died, "error": f"{type(exc).__name__}: {exc}"})
            if died:
                break
    # stdin closed: the parent is done with us (or gone). End LibreOffice with us.
    _die()
    return 0


if __name__ == "__main__":
    sys.exit(main())
