"""The form says what the letter's vocabulary declares (app/core/vocabulary.py), never its own words."""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import template_library
from app.core import vocabulary
from app.ui.document import edit_label
from app.ui.form import LetterForm

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_the_forms_sections_and_addressee_fields_are_the_vocabularys(qtbot: Any) -> None:
    pack = template_library().get("officials-concern")
    form = LetterForm(pack.manifest)
    qtbot.addWidget(form)
    form.set_data({"addressees": [{"name": "Jeff Sessions", "address": []}],
                   **{key: ["A paragraph.", "Another."] for key in vocabulary.PARAGRAPH_SECTIONS}})
    for key, editor in form.sections.items():
        declared = vocabulary.section(key)
        assert editor.title == declared.label
        assert editor.numbered == declared.numbered
        assert editor.singular == declared.singular
        # "Requested policy 2", not the heading with its last "s" cut off ("Requested policie 2")
        assert editor.editors()[1].toolTip().startswith(declared.singular.capitalize() + " 2:")
    for key in vocabulary.LINE_SECTIONS:
        if key in pack.manifest.sections:
            assert form.lists[key].accessibleName() == vocabulary.section(key).label
    addressees = form.addressees
    for spec in vocabulary.ADDRESSEE_FIELDS:
        widget = getattr(addressees, spec.key)
        assert widget.accessibleName() == spec.label
        if spec.hint and hasattr(widget, "placeholderText"):
            assert widget.placeholderText() == spec.hint


def test_undo_labels_name_entries_as_the_vocabulary_counts_them() -> None:
    assert edit_label("requested_policies[2]") == "Edit requested policy 3"
    assert edit_label("addressees[0].given_name") == "Edit addressee 1 (given name)"
    for declared in vocabulary.SECTIONS:
        assert edit_label(declared.path(1)) == f"Edit {declared.entry(1)}"
