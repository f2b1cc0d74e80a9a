"""Chambers as a court's IT staff install it: a wheel built from the project, installed into a fresh
venv, used from a folder that is not the checkout.

Offline and honest: the wheel is built from a copy of the project's files with this interpreter's
setuptools (``--no-build-isolation``, so no index is asked for build tools), installed with
``--no-deps --no-index`` into a new venv, and that venv reaches the dependencies (docxtpl,
SQLAlchemy, ...) through a ``.pth`` line naming this environment's site-packages. A plain path
line adds the folder to ``sys.path`` without running its ``.pth`` files, so the checkout's own
editable install of ``app`` is never seen: every ``app`` module comes from the wheel.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PACK_IDS, ROOT, need_libreoffice

# What a source distribution carries (MANIFEST.in); the copy leaves out caches and the venvs.
PROJECT_FILES = ("app", "templates", "resources", "docs", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


@dataclass
class Installed:
    venv: Path
    work: Path  # a folder that is not the checkout
    env: dict[str, str]

    def run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv / "bin" / program), *args], cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)


def _pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    top = tmp_path_factory.mktemp("install")
    source = top / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=SKIP)
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = top / "wheels"
    _pip("wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(source))
    [wheel] = wheels.glob("chambers-*.whl")
    venv = top / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    target = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    here = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(target) / "chambers_test_dependencies.pth").write_text("\n".join(here) + "\n", encoding="utf-8")
    _pip("--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", "--no-index", str(wheel))
    shutil.rmtree(source)  # nothing of the project is left to find but the installed wheel
    work = top / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CHAMBERS_", "VIRTUAL_ENV"))}
    env.update(CHAMBERS_HOME=str(top / "home"), QT_QPA_PLATFORM="offscreen")
    return Installed(venv, work, env)


def test_the_installed_program_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    proc = installed.run("python", "-c", "import app, app.resources as r; print(app.__file__); "
                                         "print(r.shipped('templates')); print(r.shipped('resources'))")
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert Path(line).is_relative_to(installed.venv), f"{line} is not inside the installed venv"


def test_version_on_both_entry_points(installed: Installed) -> None:
    from app import __version__

    for program in ("chambers", "chambers-desk"):
        proc = installed.run(program, "--version")
        assert (proc.returncode, proc.stdout.strip()) == (0, f"Chambers {__version__}"), proc.stderr


def test_main_py_prints_its_version_instead_of_opening_the_window() -> None:
    from app import __version__

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for flag in ("--version", "-V"):
        proc = subprocess.run([sys.executable, str(ROOT / "main.py"), flag], env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert (proc.returncode, proc.stdout.strip()) == (0, f"Chambers {__version__}"), proc.stderr


def test_the_shipped_packs_are_listed(installed: Installed) -> None:
    proc = installed.run("chambers", "templates", "list")
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line and not line[0].isspace()]
    shipped = sorted(p.parent.name for p in (ROOT / "templates").glob("*/manifest.yaml"))
    assert set(PACK_IDS) <= set(shipped)
    assert listed == shipped


def test_a_letter_renders_from_the_installed_packs(installed: Installed) -> None:
    sample = installed.run("chambers", "sample", "officials-concern")
    assert sample.returncode == 0, sample.stderr
    (installed.work / "letter.json").write_text(sample.stdout, encoding="utf-8")
    proc = installed.run("chambers", "render", "--template", "officials-concern", "--data", "letter.json",
                         "--out", "letter.docx")
    assert proc.returncode == 0, proc.stderr
    assert (installed.work / "letter.docx").read_bytes()[:2] == b"PK"


@pytest.mark.libreoffice
def test_a_letter_renders_to_pdf_from_the_installed_program(installed: Installed) -> None:
    need_libreoffice()
    sample = installed.run("chambers", "sample", "response-to-inquiry")
    (installed.work / "reply.json").write_text(sample.stdout, encoding="utf-8")
    proc = installed.run("chambers", "render", "--template", "response-to-inquiry", "--data", "reply.json",
                         "--out", "reply.docx", "--pdf", "reply.pdf", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (installed.work / "reply.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.gui
def test_the_window_takes_a_screenshot(installed: Installed) -> None:
    if importlib.util.find_spec("PySide6") is None:
        pytest.skip("PySide6 is not installed here (the headless run)")
    proc = installed.run("chambers-desk", "--screenshot", "desk.png", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (installed.work / "desk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_office_database_is_backed_up_and_restored_by_the_installed_program(installed: Installed) -> None:
    office = installed.work / "office"
    office.mkdir()
    db = ("--db", str(office / "chambers.sqlite3"))

    def ok(*args: str) -> str:
        proc = installed.run("chambers", *args)
        assert proc.returncode == 0, f"chambers {' '.join(args)}: {proc.stderr}"
        return proc.stdout

    ok("db", "init", *db)
    ok("users", "add", "admin", "--role", "admin", *db)
    ok("users", "add", "ann", "--role", "clerk", *db, "--as", "admin")
    (installed.work / "office.json").write_text(ok("sample", "officials-concern"), encoding="utf-8")
    letter = ok("drafts", "new", "--template", "officials-concern", "--data", "office.json", *db, "--as", "ann")
    ok("db", "backup", "office-backup.sqlite3", *db)
    for file in office.glob("chambers.sqlite3*"):
        file.unlink()
    ok("db", "restore", "office-backup.sqlite3", *db)
    assert f"{letter.strip():>5}  draft" in ok("drafts", "list", *db, "--as", "ann")
    ok("audit", "verify", *db)
    typo = installed.run("chambers", "drafts", "list", "--db", str(installed.work / "ofice" / "chambers.sqlite3"))
    assert typo.returncode == 1
    assert "There is no Chambers database" in typo.stderr
    assert not (installed.work / "ofice").exists()
