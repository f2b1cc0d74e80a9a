"""Line breaks and tabs in a letter's values become Word's own, in exactly the paragraphs docxtpl would."""

from __future__ import annotations

import random
import re

from app.rendering.engine import _DOCXTPL, _PARAGRAPH, _resolve_listing


def _by_the_regex(xml: str) -> str:
    """The definition: docxtpl's resolution of every ``_PARAGRAPH`` match holding a break or tab."""
    def paragraph(match: re.Match[str]) -> str:
        text = match.group(0)
        return str(_DOCXTPL.resolve_listing(text)) if "\n" in text or "\t" in text else text
    return _PARAGRAPH.sub(paragraph, xml)


ODD = [
    "",
    '<w:p/><w:p a="/">x\ny</w:p><w:pPr>\n</w:pPr><w:p>a<w:p x="1">b\tc</w:p>d\n</w:p>',  # nested, self-closing
    '<w:p x="1"/>\n<w:p>\n',            # a paragraph never closed
    '<w:p >\t</w:p><w:p',               # an open tag cut short
    "\n<w:p>a</w:p>\t",                 # breaks outside any paragraph stay as they are
    '<w:p x>y\n</w:p></w:p>\n<w:p>\t</w:p>',
    '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">one\ntwo\tthree</w:t></w:r></w:p>',
]
TOKENS = ["<w:p>", '<w:p a="1">', "<w:p/>", '<w:p x="/">', "</w:p>", "\n", "\t", "ab", "<w:pPr>", "<w:r><w:t>",
          "</w:t></w:r>", ">", "/", "<w:p", "<w:proofErr/>"]


def test_the_paragraphs_resolved_are_the_ones_the_regex_finds() -> None:
    for xml in ODD:
        assert _resolve_listing(xml) == _by_the_regex(xml), xml
    rng = random.Random(19)
    for _ in range(5000):
        xml = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 16)))
        assert _resolve_listing(xml) == _by_the_regex(xml), xml
