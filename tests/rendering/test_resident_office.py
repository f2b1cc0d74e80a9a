"""The resident LibreOffice: reused, restarted when it dies or hangs, never left behind."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import hostos
from app.core.errors import ConversionError
from app.core.letter import Letter
from app.rendering.pdf import ResidentOffice, conversion_mode, find_uno_python
from app.services.templates import TemplateLibrary
from tests.conftest import IN_CI, need_libreoffice, sample_data

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.libreoffice


def need_uno() -> None:
    need_libreoffice()
    if find_uno_python() is None:
        if IN_CI:
            pytest.fail("python3-uno is required under CI (CI=true) but no Python can import uno")
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")


@pytest.fixture(scope="module")
def flagship_docx() -> bytes:
    pack = TemplateLibrary().get("officials-concern")
    return pack.render(Letter.model_validate(sample_data())).data


@pytest.fixture
def office() -> Iterator[ResidentOffice]:
    need_uno()
    resident = ResidentOffice(timeout=60)
    yield resident
    resident.close()


def group_members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(entry.name))
    return found


def soffice_bin(group: int) -> int:
    for pid in group_members(group):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "soffice.bin":
                return pid
        except OSError:
            continue
    raise AssertionError(f"no soffice.bin in process group {group}")


def wait_gone(group: int, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = group_members(group)
        if not left:
            return []
        time.sleep(0.1)
    return group_members(group)


def office_pipe_folders() -> set[str]:
    """Our offices' private pipe folders now in /tmp (only this code names folders so)."""
    prefix = hostos.office_pipe_prefix() + "chambers-office-"
    return {name for name in os.listdir(hostos.OFFICE_PIPE_ROOT) if name.startswith(prefix)}


def owner_of(pipe_folder: str) -> str:
    """The work folder the owner file of an office's pipe folder names ("" when it cannot be read)."""
    try:
        owner = json.loads((Path(hostos.OFFICE_PIPE_ROOT) / pipe_folder / "owner.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(owner.get("work", "")) if isinstance(owner, dict) else ""


def wait_removed(paths: list[Path], seconds: float = 15) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [path for path in paths if os.path.lexists(path)]
        if not left:
            return []
        time.sleep(0.1)
    return [path for path in paths if os.path.lexists(path)]


def test_the_office_pipe_refuses_everyone_else_whatever_the_umask(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flagship_docx: bytes) -> None:
    need_uno()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = os.umask(0)
    try:
        office = ResidentOffice(timeout=60)
        try:
            office.convert(flagship_docx)
            litter = office.litter
            pipes = next(path for path in litter if path.name.startswith(hostos.office_pipe_prefix() + "chambers"))
            info = pipes.lstat()
            assert stat.S_ISDIR(info.st_mode)
            assert stat.S_IMODE(info.st_mode) == 0o700, "the pipe folder lets others in"
            assert info.st_uid == os.getuid()
            # A random name, not one derived from a process id anyone can read in ps.
            assert str(os.getpid()) not in pipes.name
            assert str(office.process_group) not in pipes.name
            assert stat.S_ISSOCK((pipes / "office").lstat().st_mode), "the UNO pipe is not in the private folder"
            sockets = [path for path in litter if path.parent == Path(hostos.OFFICE_PIPE_ROOT)]
            assert sockets, "the office's own single-instance pipe in /tmp was not found"
            for socket in sockets:  # LibreOffice puts this one in /tmp itself: it must refuse others
                assert stat.S_IMODE(socket.lstat().st_mode) & 0o077 == 0, f"{socket} is open to others"
            # Profile and LibreOffice's temporary files stay in private folders under $TMPDIR.
            for entry in tmp_path.iterdir():
                assert stat.S_IMODE(entry.lstat().st_mode) == 0o700, f"{entry} is open to others"
        finally:
            office.close()
    finally:
        os.umask(before)
    assert wait_removed(litter) == [], "the office's files outlived it"
    assert list(tmp_path.iterdir()) == [], "the office left files under $TMPDIR"


def test_an_office_dies_with_its_bridge_even_by_kill_9(flagship_docx: bytes, office: ResidentOffice) -> None:
    office.convert(flagship_docx)
    group = office.process_group
    assert group is not None
    victim = soffice_bin(group)
    litter = office.litter
    os.kill(group, signal.SIGKILL)  # the bridge alone, as the OOM killer or a user might
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Path(f"/proc/{victim}").exists() and \
            Path(f"/proc/{victim}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX":
        time.sleep(0.1)
    assert not Path(f"/proc/{victim}").exists() or \
        Path(f"/proc/{victim}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX", \
        "LibreOffice outlived its bridge"
    assert office.convert(flagship_docx).startswith(b"%PDF")  # a new one, and the old one's files cleared
    assert wait_removed(litter) == []


def test_one_office_serves_many_letters(office: ResidentOffice, flagship_docx: bytes) -> None:
    for _ in range(5):
        assert office.convert(flagship_docx).startswith(b"%PDF")
    assert office.starts == 1


def test_conversion_survives_office_killed_between_letters(office: ResidentOffice, flagship_docx: bytes) -> None:
    office.convert(flagship_docx)
    group = office.process_group
    assert group is not None
    litter = office.litter
    os.kill(soffice_bin(group), signal.SIGKILL)
    assert office.convert(flagship_docx).startswith(b"%PDF")  # restarted, retried once
    assert office.starts == 2
    assert wait_gone(group) == []  # the dead office's bridge went with it
    assert wait_removed(litter) == []  # and so did its pipes, profile and temporary files


def test_conversion_survives_office_killed_mid_conversion(office: ResidentOffice, flagship_docx: bytes) -> None:
    office.convert(flagship_docx)
    group = office.process_group
    assert group is not None
    victim = soffice_bin(group)
    killer = threading.Timer(0.01, os.kill, (victim, signal.SIGKILL))
    killer.start()
    try:
        assert office.convert(flagship_docx).startswith(b"%PDF")
    finally:
        killer.join()
    assert office.starts == 2


def test_a_hung_conversion_times_out_and_the_next_one_works(flagship_docx: bytes) -> None:
    need_uno()
    office = ResidentOffice(timeout=2)
    try:
        office.convert(flagship_docx)
        group = office.process_group
        assert group is not None
        os.kill(soffice_bin(group), signal.SIGSTOP)  # alive but never answers
        started = time.monotonic()
        with pytest.raises(ConversionError, match="did not finish the PDF within 2 seconds"):
            office.convert(flagship_docx)
        assert time.monotonic() - started < 10
        assert wait_gone(group) == []  # the hung office was ended, not left stopped
        assert office.convert(flagship_docx).startswith(b"%PDF")
    finally:
        office.close()


def test_close_leaves_no_office(office: ResidentOffice, flagship_docx: bytes) -> None:
    office.convert(flagship_docx)
    group = office.process_group
    assert group is not None
    office.close()
    assert wait_gone(group) == []
    with pytest.raises(ConversionError, match="shut down"):
        office.convert(flagship_docx)


CHILD = textwrap.dedent("""
    import sys, time  # noqa: E401
    from app.core.letter import Letter
    from app.rendering.pdf import PdfConverter, shared_office
    from app.services.templates import TemplateLibrary
    from tests.conftest import sample_data
    docx = TemplateLibrary().get("officials-concern").render(Letter.model_validate(sample_data())).data
    PdfConverter().convert(docx)
    print(shared_office().process_group, flush=True)
    sys.stdin.readline()  # the test has seen the office running; now end as told
    if sys.argv[1] == "wait":
        time.sleep(120)
""")


@pytest.mark.parametrize("ending", ["exit", "SIGTERM", "SIGKILL"])
def test_no_office_outlives_our_process(ending: str, tmp_path: Path) -> None:
    need_uno()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    pipes_before = office_pipe_folders()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(private_tmp)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, "exit" if ending == "exit" else "wait"],
                             cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        group = int(child.stdout.readline())
        assert group_members(group)
        sockets = [Path(path) for pid in group_members(group) for path in hostos.listening_sockets(pid)]
        assert sockets, "the office holds no pipe; the test would prove nothing"
        child.stdin.write("go\n")
        child.stdin.flush()
        if ending != "exit":
            child.send_signal(signal.SIGTERM if ending == "SIGTERM" else signal.SIGKILL)
        child.wait(timeout=60)
        assert wait_gone(group) == [], f"LibreOffice outlived our process ({ending})"
        assert wait_removed(sockets) == [], f"the office's pipes outlived our process ({ending})"
        # Only ours: other processes of this user (another test run) may make pipe folders meanwhile.
        ours = [Path(hostos.OFFICE_PIPE_ROOT) / name for name in office_pipe_folders() - pipes_before
                if str(private_tmp) in owner_of(name)]
        assert wait_removed(ours) == [], f"a pipe folder was left in /tmp ({ending})"
        assert wait_removed(list(private_tmp.iterdir())) == [], f"files were left under $TMPDIR ({ending})"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def test_mode_names_the_resident_office_when_uno_is_there() -> None:
    need_uno()
    assert conversion_mode() == ("resident", "")


def test_without_uno_conversion_falls_back_to_one_shot(monkeypatch: pytest.MonkeyPatch) -> None:
    need_libreoffice()
    monkeypatch.setenv("CHAMBERS_NO_UNO", "1")
    mode, note = conversion_mode()
    assert mode == "one-shot"
    assert "python3-uno" in note


def test_a_normal_render_and_batch_leave_nothing_behind(tmp_path: Path) -> None:
    need_uno()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(sample_data()), encoding="utf-8")
    table = tmp_path / "addressees.csv"
    table.write_text("name,address\n" + "".join(f"Pat Official{i},{i} Main Street|Sacramento\n" for i in range(8)),
                     encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(private_tmp), "CHAMBERS_HOME": str(tmp_path / "home")}
    pipes_before = office_pipe_folders()
    commands = [
        ["render", "--template", "officials-concern", "--data", str(data), "--out", str(tmp_path / "one.docx"),
         "--pdf", str(tmp_path / "one.pdf")],
        ["batch", "--template", "officials-concern", "--data", str(data), "--addressees", str(table),
         "--out", str(tmp_path / "merge"), "--jobs", "2", "--pdf"],
    ]
    for command in commands:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), *command], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "one.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((tmp_path / "merge").glob("*.pdf"))) == 8
    # Nothing is waited for: each process has ended its offices, and they their files, when it exits.
    assert list(private_tmp.iterdir()) == [], "LibreOffice's files were left under $TMPDIR"
    # Other processes of this user (another test run) may make pipe folders meanwhile: ours name
    # their work folder, which is under this test's TMPDIR.
    left = [name for name in office_pipe_folders() - pipes_before if str(private_tmp) in owner_of(name)]
    assert left == [], "a pipe folder was left in /tmp"
