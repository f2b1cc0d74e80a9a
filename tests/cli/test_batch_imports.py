"""`chambers batch` loads what a mail merge needs, not the drafts, signing or office services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import sample_data

ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_A_MERGE = ("app.services.drafts", "app.services.signing", "app.services.office", "app.storage.interfaces",
                   "app.rendering.signing", "sqlalchemy", "pyhanko", "PySide6",
                   # the stored records' dataclasses (users, versions, audit events): a merge keeps none
                   "app.core.records")
PROBE = """
import contextlib, io, json, sys
from app.cli import main
with contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_merge_imports_none_of_the_other_commands_services(tmp_path: Path) -> None:
    letter = tmp_path / "letter.json"
    letter.write_text(json.dumps(sample_data()), encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("name,title\nAnn Lee,Secretary of State\nBo Chen,Attorney General\n", encoding="utf-8")
    env = {**os.environ, "CHAMBERS_HOME": str(tmp_path / "home")}
    env.pop("CHAMBERS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "batch", "--template", "officials-concern", "--data", str(letter),
         "--addressees", str(people), "--out", str(tmp_path / "letters")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert len(list((tmp_path / "letters").glob("*.docx"))) == 2
    loaded = [m for m in result["modules"] if m.startswith(NOT_FOR_A_MERGE)]
    assert loaded == [], f"a merge imported {loaded}"
