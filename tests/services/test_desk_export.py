"""The window's export (app.services.exporting.export_letter) writes through write_letter_files: protected
targets are refused before anything is written; the files read back as the letter."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from app.bootstrap import template_library
from app.core import jsondata
from app.core.errors import ChambersError
from app.core.letter import parse_letter
from app.services.exporting import ExportRequest, export_letter


def _letter() -> tuple[object, object, object]:
    library = template_library()
    pack = library.get("officials-concern")
    letter = parse_letter(jsondata.loads(library.sample("officials-concern"))).letter
    return library, pack, letter


def test_one_letter_per_addressee_is_written_and_reads_back(tmp_path: Path) -> None:
    library, pack, letter = _letter()
    out = tmp_path / "new folder"
    result = export_letter(library, pack, letter, ExportRequest(out, "x", per_addressee=True))  # type: ignore[arg-type]
    assert [p.name for p in result.written] == ["2017-03-16 Letter to Attorney General Sessions.docx",
                                                "2017-03-16 Letter to Secretary Kelly.docx"]
    assert "Dear Secretary Kelly:" in [p.text for p in docx.Document(str(result.written[1])).paragraphs]


def test_a_template_folder_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    library, pack, letter = _letter()
    folder = pack.folder  # type: ignore[attr-defined]
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(ChambersError, match="template folder"):
        export_letter(library, pack, letter, ExportRequest(folder, "letter", overwrite=True))  # type: ignore[arg-type]
    assert sorted(p.name for p in folder.iterdir()) == before
    inside = folder / "letters"
    with pytest.raises(ChambersError, match="template folder"):
        export_letter(library, pack, letter, ExportRequest(inside, "letter"))  # type: ignore[arg-type]
    assert not inside.exists()  # the folder made for the export is gone again
