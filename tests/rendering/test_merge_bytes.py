"""A letter renders to the same bytes whatever was rendered before it with the same pack.

The compiled pack remembers what a mail merge shares between letters (the letter's part of the
context, the deflated bytes of parts that came out the same); approval compares a re-render
with the approved bytes, so none of that may change a byte. A guard: it held before they existed.
"""

from __future__ import annotations

import copy
from typing import Any

from app.core.letter import parse_letter
from app.rendering import context as contexts
from app.rendering.engine import CompiledPack
from tests.conftest import TEMPLATES, sample_data


def _letters() -> list[dict[str, Any]]:
    base = sample_data()
    first = base["addressees"][0]
    ann = {**first, "name": "Ann Lee", "address": ["1 Main Street", "Sacramento, CA 95814"]}
    letters = [copy.deepcopy(base), {**base, "addressees": [ann]}, {**base, "addressees": [ann, first]},
               {**base, "addressees": [ann], "subject": base["subject"] + "\tand\nmore"},
               {**base, "addressees": [ann], "reference": "No. 17-0042"}]
    return letters + letters[::-1]


def test_each_letter_renders_as_a_fresh_pack_renders_it(monkeypatch: Any) -> None:
    shared = CompiledPack(TEMPLATES / "officials-concern")
    for draft in (False, True):
        for data in _letters():
            letter = parse_letter(data).letter
            in_turn = shared.render(letter, draft=draft).data
            monkeypatch.setattr(contexts, "_last_letter_part", None)
            alone = CompiledPack(TEMPLATES / "officials-concern").render(letter, draft=draft).data
            assert in_turn == alone, (draft, data.get("subject"), [a["name"] for a in data["addressees"]])
