"""Shared test set-up: offscreen Qt, a private data folder, LibreOffice and PostgreSQL gates."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from app.bootstrap import Services

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PACK_IDS = ("officials-concern", "legislative-position", "response-to-inquiry")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder; nothing touches the user's real one."""
    home = tmp_path_factory.mktemp("chambers-home")
    monkeypatch.setenv("CHAMBERS_HOME", str(home))
    monkeypatch.setenv("CHAMBERS_CONFIG", "")  # never the developer's own chambers.toml
    monkeypatch.delenv("CHAMBERS_TEMPLATES", raising=False)
    return home


def sample_data(pack_id: str = "officials-concern") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEMPLATES / pack_id / "sample.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def flagship_sample() -> dict[str, Any]:
    return sample_data()


def need_libreoffice() -> None:
    """Skip where LibreOffice is absent; under CI that skip is a failure."""
    from app.rendering.pdf import find_soffice

    if find_soffice() is None:
        if IN_CI:
            pytest.fail("LibreOffice is required under CI (CI=true) but was not found")
        pytest.skip("LibreOffice is not installed")


@pytest.fixture
def libreoffice() -> None:
    need_libreoffice()


DeskFactory = Callable[..., "Services"]


@pytest.fixture
def at_end() -> Iterator[ExitStack]:
    """What a test hands it (``at_end.enter_context(closing(feed))``, ``at_end.callback(engine.dispose)``)
    is closed when the test ends, the last first, whether the test passed or not."""
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def desk(at_end: ExitStack) -> DeskFactory:
    """Seats a person at a desk: ``desk(url, as_user=...)`` takes ``services()``' arguments and gives that
    person's services over the office database, closed at the test's end; so a test with two people at
    one database writes neither the opening nor the closing."""
    from app.bootstrap import services

    def open_desk(*args: Any, **kwargs: Any) -> Services:
        return at_end.enter_context(closing(services(*args, **kwargs)))

    return open_desk
