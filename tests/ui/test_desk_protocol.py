"""One Desk protocol: the window asks ``desk.workflow`` (present or absent), never which class a desk is."""

from __future__ import annotations

import ast
from pathlib import Path

from app.services.desk import Desk, LocalDesk, ServiceDesk
from tests.conftest import ROOT

DESK_CLASSES = {"ServiceBackend", "LocalBackend", "ServiceDesk", "LocalDesk"}


def test_no_part_of_the_window_asks_which_class_its_desk_is() -> None:
    found = []
    for path in sorted((ROOT / "app" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" \
                    and len(node.args) == 2:
                names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                if names & DESK_CLASSES:
                    found.append(f"{Path(path).name}:{node.lineno}")
    assert found == [], f"isinstance on a desk class (ask desk.workflow instead): {found}"


def test_both_desks_answer_every_question_of_the_protocol(tmp_path: Path) -> None:
    wanted = {name for name in dir(Desk) if not name.startswith("_")} | set(Desk.__annotations__)
    local = LocalDesk(folder=tmp_path)
    assert local.workflow is None
    assert not local.opening
    for name in sorted(wanted):
        assert hasattr(local, name), f"LocalDesk does not answer {name}"
        assert hasattr(ServiceDesk, name) or name in ("user", "role", "full_name", "database", "recovered_at"), \
            f"ServiceDesk does not answer {name}"
