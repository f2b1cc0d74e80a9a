"""Redlines of a letter's versions, as a Word document with tracked changes (``drafts redline``,
and the review pane's "Redline in Word")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.errors import LetterInvalid, TemplateProblem
from app.core.letter import parse_letter
from app.core.workflow import NotFound
from app.rendering.redline import Revision, redline
from app.services.drafts import Drafts
from app.services.letters import protect_packs, write_docx


@dataclass(frozen=True)
class Redline:
    letter_id: int
    from_version: int
    to_version: int
    docx: bytes


def redline_versions(drafts: Drafts, letter_id: int, from_version: int | None = None,
                     to_version: int | None = None) -> Redline:
    """The changes from ``from_version`` (default: the version the judge last reviewed, else the
    one before) to ``to_version`` (default: the newest), each attributed to the version that made it."""
    summary, versions, _events = drafts.history(letter_id)
    to_number = to_version or summary.version
    numbers = {v.number for v in versions}
    # Versions saved in quick succession are kept as one, so "the one before" is the stored one before.
    before = max((n for n in numbers if n < to_number), default=to_number)
    from_number = from_version or drafts.last_reviewed_version(letter_id) or before
    for wanted in (from_number, to_number):
        if wanted not in numbers:
            raise NotFound(f"letter {letter_id} has no version {wanted} (it has versions "
                           f"{min(numbers)} to {max(numbers)})")
    if from_number >= to_number:
        raise NotFound(f"a redline goes from an older version to a newer one; {from_number} is not "
                       f"older than {to_number}")
    with drafts.store.read() as tx:
        names = {u.name: u.shown for u in tx.users.list()}
    revisions = []
    for version in versions:
        if not from_number <= version.number <= to_number:
            continue
        try:
            letter = parse_letter(version.data).letter
            docx = drafts.library.get(version.template_id).render(letter, draft=True, images=drafts.seals).data
        except (TemplateProblem, LetterInvalid) as exc:
            raise TemplateProblem(f"version {version.number} of letter {letter_id} cannot be rendered "
                                  f"for the redline: {exc}") from None
        revisions.append(Revision(version.number, names.get(version.author, version.author),
                                  version.created_at, docx))
    return Redline(letter_id, from_number, to_number, redline(revisions))


def save_redline(drafts: Drafts, made: Redline, out: Path, option: str = "--out") -> None:
    """Write a redline to ``out`` through the output policy, like every letter Chambers writes:
    never over a template pack, the database, the recovery folder, a link or a file that is not
    a Word document (``app.core.files.check_output_target``)."""
    protect_packs(drafts.library)
    write_docx(out, made.docx, option)
