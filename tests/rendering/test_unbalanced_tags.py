"""A tag left open must be refused: docxtpl would swallow the paragraphs up to the next tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import TemplateProblem
from app.rendering.engine import CompiledPack
from tests.rendering import helpers as h


@pytest.mark.parametrize(("text", "opening"), [
    ("Re: {{ subject ", "{{"),
    ("Re: subject }}", "{{"),
    ("{% if reference Ref", "{%"),
    ("Note {# a comment", "{#"),
])
def test_a_paragraph_whose_tags_do_not_close_is_refused(tmp_path: Path, text: str, opening: str) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", text, "{{ salutation }}"])
    with pytest.raises(TemplateProblem) as caught:
        CompiledPack(folder)
    message = str(caught.value)
    assert f"paragraph 2 (\u201c{text}" in message
    assert f"a tag opened with {opening} is not closed" in message


def test_balanced_tags_across_runs_are_accepted(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", "Re: {{ subject }} and {{ reference }}"])
    CompiledPack(folder)
