"""The printed page, read back from LibreOffice's PDF: every shipped pack at one, two and three
pages, with one, three and twelve addressees.

- the signature never stands alone: the page with the signatory's name also holds the end of
  the last body paragraph and the complimentary close;
- notations are never stranded and never split: every enclosure and cc line is on the page of
  the signature;
- a draft and the approved letter break their pages at the same words.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pypdfium2 as pdfium
import pytest

from app.core.letter import Letter
from app.rendering.engine import CompiledPack
from app.rendering.pdf import PdfConverter
from tests.conftest import TEMPLATES, need_libreoffice, sample_data

pytestmark = pytest.mark.libreoffice

PACKS = ("officials-concern", "legislative-position", "response-to-inquiry")
FILLER = ("The court has considered this question with care, and it sets out here the facts on which its "
          "view rests, the interests of the public it serves, and the practical consequences it foresees "
          "for the litigants, witnesses and staff who rely on its courthouses every day.")


def _addressees(base: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    people = []
    for i in range(n):
        person = copy.deepcopy(base[i % len(base)])
        if i >= len(base):
            person["name"] = f"Jordan Q. Example{i}"
            person.pop("salutation", None)
        people.append(person)
    return people


def letter_for(pack: str, pages: int, addressees: int) -> dict[str, Any]:
    """A letter of the pack that fills about ``pages`` pages with one addressee."""
    data = sample_data(pack)
    data["addressees"] = _addressees(data["addressees"], addressees)
    if pages == 1:
        data["opening"] = [_words(data["opening"][0], 40, last=False) + "."]
        data["concerns"] = []
        data["cc"] = data["cc"][:1]
        data["closing"] = data["closing"][-1:]
        if "requested_policies" in data:
            data["requested_policies"] = data["requested_policies"][:1]
    elif pages == 3:
        data["concerns"] = [*data["concerns"], *([FILLER] * (7 if pack == "officials-concern" else 9))]
    return data


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _words(text: str, n: int, *, last: bool) -> str:
    words = text.split()
    return " ".join(words[-n:] if last else words[:n])


def _page_of(pages: list[str], needle: str) -> int:
    found = [i for i, page in enumerate(pages) if needle in page]
    assert found, f"{needle!r} is on no page"
    return found[-1]


@pytest.fixture(scope="module")
def converter() -> Any:
    need_libreoffice()
    with PdfConverter() as pdf:
        yield pdf


CASES = [(pack, pages, people) for pack in PACKS for pages in (1, 2, 3) for people in (1, 3, 12)]


@pytest.mark.parametrize(("pack", "pages", "people"), CASES)
def test_signature_notations_and_page_breaks(converter: PdfConverter, pack: str, pages: int, people: int) -> None:
    data = letter_for(pack, pages, people)
    letter = Letter.model_validate(data)
    compiled = CompiledPack(TEMPLATES / pack)
    draft = page_texts(converter.convert(compiled.render(letter, draft=True).data))
    final = page_texts(converter.convert(compiled.render(letter, draft=False).data))

    if people == 1:  # the three lengths really are one, two and three pages
        assert len(final) == pages, f"{pack}: {len(final)} pages, meant {pages}"

    # Draft and approved break at the same words: only the draft line differs.
    assert len(draft) == len(final)
    for page_draft, page_final in zip(draft, final, strict=True):
        assert page_draft.replace("DRAFT — not approved", "").split() == page_final.split()

    body = [*letter.opening, *letter.concerns, *letter.requested_policies, *letter.closing]
    signature_page = _page_of(final, letter.signatory.name)
    assert _page_of(final, letter.signatory.title) == signature_page
    assert letter.complimentary_close in final[signature_page]
    if body:
        tail = _words(body[-1], 3, last=True)
        assert tail in final[signature_page], "the signature stands on a page without the letter's last words"
    for line in [*letter.enclosures, *letter.cc]:
        assert _words(line, 4, last=True) in final[signature_page], f"notation {line!r} is stranded"
    assert re.search(r"\bcc:", final[signature_page]) or not letter.cc
    if people > 6:  # protocol: the group in the inside address, everyone on a distribution list
        assert "Distribution:" in final[signature_page]
        for person in letter.addressees:
            assert person.name in final[signature_page]


def test_a_letter_without_closing_keeps_its_signature_with_the_last_request(converter: PdfConverter) -> None:
    data = sample_data("officials-concern")
    data["closing"] = []
    for extra in range(6):  # walk the last request across the page boundary
        data["concerns"] = [*sample_data("officials-concern")["concerns"], *([FILLER] * extra)]
        letter = Letter.model_validate(data)
        pages = page_texts(converter.convert(CompiledPack(TEMPLATES / "officials-concern").render(letter).data))
        signature_page = _page_of(pages, letter.signatory.name)
        assert _words(letter.requested_policies[-1], 3, last=True) in pages[signature_page]
