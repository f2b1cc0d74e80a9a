"""``templates check`` time against pack size: the check must grow linearly with the pack.

An earlier check scanned the XML with regexes that were quadratic in some inputs (a 24 KB pack
with 80,000 ``<w:p `` in an XML comment took 116 s to check). Here packs of several shapes are
built at sizes from 10 KB to 1 MB (the size of ``letter.docx``, as a court would receive it)
and checked as ``templates check`` checks them; the figure that matters is the time per KB,
which stays flat when the check is linear, and the time at 1 MB, which must stay under 2 s.

Shapes:
* ``letter``: a letter that is simply long (paragraphs of varied text, a tag in every fourth;
  from about 180 KB its tagged XML passes the 1 MB a template may hold and it is refused);
* ``plain_text``: the same without tags (sound at every size: parsed and searched, not compiled);
* ``comment``: the letter with an XML comment full of ``<w:p `` (the quadratic case above);
* ``attribute_tags``: ``{{`` by the thousand in an attribute (refused);
* ``split_fields``: fields whose instruction is split over runs (refused: INCLUDEPICTURE).
"""

from __future__ import annotations

import io
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from app.services.templates import TemplateLibrary

SIZES_KB = (10, 30, 100, 300, 1000)
QUICK_SIZES_KB = (10, 100, 1000)
LIMIT_SECONDS = 2.0
WORDS = ("court", "clerk", "judge", "letter", "policy", "concern", "arrest", "witness", "victim",
         "justice", "federal", "state", "courthouse", "immigration", "request", "attorney")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _base_members() -> dict[str, bytes]:
    """The smallest sound package (about 1 KB zipped), so that even the 10 KB packs are mostly body."""
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="' + W_NS.encode()
            + b'"><w:body><w:p><w:r><w:t>March 16, 2017</w:t></w:r></w:p><w:p><w:r><w:t>Dear Justice,</w:t>'
            b'</w:r></w:p><w:sectPr/></w:body></w:document>'),
    }


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(words))


def _letter(rng: random.Random, n: int) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{_text(rng, 8)}{" {{ subject }}" if i % 4 == 0 else ""}'
                   "</w:t></w:r></w:p>" for i in range(n))


def _plain(rng: random.Random, n: int) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{_text(rng, 8)}</w:t></w:r></w:p>' for _ in range(n))


def _comment(rng: random.Random, n: int) -> str:
    return "<w:p><w:r><w:t>x</w:t></w:r></w:p><!--" + "".join(
        f"<w:p {rng.choice(WORDS)}{rng.randrange(100000)} " for _ in range(n)) + "-->"


def _attribute_tags(rng: random.Random, n: int) -> str:
    noise = "".join(f"{{{{{rng.randrange(100000)}" for _ in range(n))
    return f'<w:p><w:r><w:t>x</w:t></w:r><w:bookmarkStart w:id="1" w:name="{noise}"/></w:p>'


def _split_fields(rng: random.Random, n: int) -> str:
    return "".join(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> include</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">picture "http://x{rng.randrange(100000)}.example/p.png" '
        '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>' for _ in range(n))


SHAPES: dict[str, Callable[[random.Random, int], str]] = {
    "letter": _letter, "plain_text": _plain, "comment": _comment, "attribute_tags": _attribute_tags,
    "split_fields": _split_fields,
}


def _docx(base: dict[str, bytes], body: str) -> bytes:
    document = base["word/document.xml"]
    at = document.rindex(b"<w:sectPr")
    members = {**base, "word/document.xml": document[:at] + body.encode("utf-8") + document[at:]}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return out.getvalue()


def _pack_of_size(base: dict[str, bytes], shape: str, kb: int) -> bytes:
    """A letter.docx of about ``kb`` KB: the shape's unit repeated, the count scaled to fit."""
    make = SHAPES[shape]
    floor = len(_docx(base, ""))
    n = 64
    data = _docx(base, make(random.Random(1), n))
    for _ in range(4):
        grown = max(len(data) - floor, 1)
        n = max(1, int(n * max(kb * 1024 - floor, 1024) / grown))
        data = _docx(base, make(random.Random(1), n))
        if abs(len(data) - kb * 1024) < kb * 1024 * 0.05:
            break
    return data


def _write_pack(folder: Path, data: bytes) -> None:
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(yaml.safe_dump({"id": "bench", "name": "Bench", "version": "1.0.0"}),
                                          encoding="utf-8")
    (folder / "letter.docx").write_bytes(data)


def _seconds(library: TemplateLibrary, folder: Path, repeat: int) -> tuple[float, int]:
    times, findings = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        findings = len(library.check(folder))
        times.append(time.perf_counter() - started)
    return statistics.median(times), findings


def run(quick: bool = False) -> dict[str, Any]:
    base = _base_members()
    library = TemplateLibrary([])
    sizes = QUICK_SIZES_KB if quick else SIZES_KB
    work = Path(tempfile.mkdtemp(prefix="chambers-pack-bench-"))
    shapes: dict[str, Any] = {}
    try:
        for shape in SHAPES:
            rows = []
            for kb in sizes:
                data = _pack_of_size(base, shape, kb)
                folder = work / f"{shape}-{kb}"
                _write_pack(folder, data)
                seconds, findings = _seconds(library, folder, 1 if quick else 3)
                actual_kb = len(data) / 1024
                rows.append({"pack_kb": round(actual_kb, 1), "check_ms": round(seconds * 1000, 1),
                             "ms_per_kb": round(seconds * 1000 / actual_kb, 3), "findings": findings})
                print(f"{shape:15s} {actual_kb:8.1f} KB  {seconds * 1000:9.1f} ms  "
                      f"{seconds * 1000 / actual_kb:7.3f} ms/KB  findings={findings}", file=sys.stderr, flush=True)
            # Linear: the cost per KB of the largest pack over that of the 100 KB pack stays near 1;
            # a quadratic check would give about 10.
            mid = next(r for r in rows if r["pack_kb"] >= 90)
            shapes[shape] = {"rows": rows, "per_kb_ratio_largest_vs_100kb":
                             round(rows[-1]["ms_per_kb"] / mid["ms_per_kb"], 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    slowest = max(r["check_ms"] for s in shapes.values() for r in s["rows"])
    return {"sizes_kb": list(sizes), "shapes": shapes, "slowest_check_ms": slowest,
            "limit_ms": LIMIT_SECONDS * 1000, "within_limit": slowest < LIMIT_SECONDS * 1000}


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
