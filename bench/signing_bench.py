"""Signing benchmark: a signed letter against the unsigned PDF export, measured in the same run.

Peer: the unsigned PDF export of the same approved letter (the resident LibreOffice, plain PDF).
Ours: the signed export's work per letter: the tagged PDF/A-3b rendition, the approved .docx
embedded, the visible signature placed and drawn, and a PAdES B-B signature with a PKCS#12 key
(opened once, as a judge signing a batch would). The throwaway office CA comes from the tests'
helper (``tests/signing_office.py``); no timestamp server is asked, so no network time counts.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from app.core.letter import Letter
from app.rendering.pdf import ARCHIVAL_TAGGED, ResidentOffice
from app.rendering.signing import SignRequest, open_pkcs12, sign_letter
from app.services.templates import TemplateLibrary
from tests.signing_office import PASSPHRASE, issue, root


def _letters(pack: Any, base: dict[str, Any], count: int) -> list[bytes]:
    out = []
    for n in range(count):
        data = dict(base)
        data["subject"] = f"{base['subject']} ({n})"
        out.append(pack.render(Letter.model_validate(data), draft=False).data)
    return out


def run(quick: bool = False) -> dict[str, Any]:
    library = TemplateLibrary()
    pack = library.get("officials-concern")
    base = json.loads(library.sample("officials-concern"))
    signatory = base["signatory"]["name"]
    singles, batch = (5, 10) if quick else (15, 100)
    key = open_pkcs12(issue(root(), signatory).p12(), PASSPHRASE, "bench.p12")
    letters = _letters(pack, base, max(singles, batch))

    def signed(office: ResidentOffice, docx: bytes) -> bytes:
        rendition = office.convert(docx, ARCHIVAL_TAGGED)
        return sign_letter(rendition, key, SignRequest(signatory, "Approved", "Court", docx, "letter.docx"))

    with ResidentOffice() as office:
        office.convert(letters[0])
        signed(office, letters[0])  # both paths warm: LibreOffice started, the signature's font read
        plain_ms, signed_ms = [], []
        for docx in letters[:singles]:  # interleaved, so a busy moment on the machine hits both alike
            started = time.perf_counter()
            office.convert(docx)
            plain_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            signed(office, docx)
            signed_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for docx in letters[:batch]:
            office.convert(docx)
        plain_batch = time.perf_counter() - started
        started = time.perf_counter()
        for docx in letters[:batch]:
            signed(office, docx)
        signed_batch = time.perf_counter() - started
    one, peer = statistics.median(signed_ms), statistics.median(plain_ms)
    return {
        "one_letter_ms": {"signed_median": round(one, 1), "unsigned_pdf_median": round(peer, 1),
                          "ratio": round(one / peer, 2), "letters": singles},
        "batch": {"letters": batch, "signed_s": round(signed_batch, 2), "unsigned_pdf_s": round(plain_batch, 2),
                  "ratio": round(signed_batch / plain_batch, 2)},
    }
