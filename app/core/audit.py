"""The audit log's hash chain: each event's hash covers its own fields and the hash before it.

A chain alone proves little against someone who can write the table: the newest events can be
cut, or every hash recomputed after an edit. So the chain is also held from outside: the head
(how many events, and the newest hash) is kept in ``chambers_meta`` and moved by every append in
the same transaction, and every row an event records (a letter, its versions, approvals,
comments, users) keeps the id and hash of that event. Walking the chain against both names the
first event that was changed, removed, reordered, slipped in or appended behind the
application's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.records import AuditEvent

GENESIS = "0" * 64
BEFORE_CUSTODY = 0  # audit_id of rows written before the rows vouched for their events


@dataclass(frozen=True)
class AuditReference:
    """A row that vouches for an audit event: what it is and the event id and hash it recorded.

    ``newest``: the row records the newest event about its letter (a letter row), so a later
    event about that letter that it does not know of was added behind the application's back.
    """

    what: str
    audit_id: int | None
    audit_hash: str | None
    newest: bool = False
    prev_hash: str | None = None  # the hash the event followed, which proves the event before it


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, event_id: int, at: str, actor: str, action: str, letter_id: int | None,
               detail: str) -> str:
    # PostgreSQL computes the same bytes in chambers_event_hash (migration 0003): change both or neither.
    payload = json.dumps([prev_hash, event_id, at, actor, action, letter_id, detail],
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def missing(event_id: int) -> AuditEvent:
    """Stands for an event that is not in the log any more."""
    return AuditEvent(event_id, "", "", "(missing)", None, "", "", "")


def _walk(events: list[AuditEvent]) -> tuple[list[AuditEvent], tuple[AuditEvent, str] | None]:
    """The events that chain from the genesis, and the first that does not (with why)."""
    chained: list[AuditEvent] = []
    prev = GENESIS
    for index, event in enumerate(events):
        if event.prev_hash != prev and any(later.prev_hash == prev for later in events[index + 1:]):
            after = chained[-1].id if chained else 0
            return chained, (event, f"it was slipped in behind Chambers' back: it does not follow event {after} "
                                    "and the next event of the chain skips it")
        if event_hash(event.prev_hash, event.id, event.at, event.actor, event.action, event.letter_id,
                      event.detail) != event.hash:
            return chained, (event, "its content was changed after it was written (its hash no longer matches)")
        after = chained[-1].id if chained else 0
        if event.prev_hash == prev and event.id > after + 1:
            # Ids are handed out one by one; a gap the hashes close over is a cut covered by re-chaining.
            gap = f"event {after + 1} is" if event.id == after + 2 else f"events {after + 1} to {event.id - 1} are"
            return chained, (missing(after + 1), f"{gap} missing and the chain was recomputed over the gap")
        if event.prev_hash == prev:
            chained.append(event)
            prev = event.hash
            continue
        after = chained[-1].id if chained else 0
        earlier = {e.hash: e.id for e in chained}
        if event.prev_hash in earlier:
            return chained, (event, f"it follows event {earlier[event.prev_hash]}, not event {after}: "
                                    "events were reordered or replaced")
        if event.id > after + 1:
            gap = f"event {after + 1}" if event.id == after + 2 else f"events {after + 1} to {event.id - 1}"
            return chained, (missing(after + 1), f"{gap} {'is' if event.id == after + 2 else 'are'} missing "
                                                 f"(event {event.id} follows an event that is not in the log)")
        return chained, (event, f"it does not follow event {after}: it was not written by Chambers, or the "
                                "event before it was removed or replaced")
    return chained, None


def _head(chained: list[AuditEvent], head: tuple[int, str]) -> tuple[AuditEvent, str] | None:
    count, head_hash = head
    last = chained[-1] if chained else None
    if len(chained) == count and (last.hash if last else GENESIS) == head_hash:
        return None
    for position, event in enumerate(chained):
        if event.hash == head_hash and position + 1 < len(chained):
            extra = chained[position + 1]
            return extra, (f"it was appended behind Chambers' back: the chain head records {count} events, "
                           f"ending at event {event.id}")
    if head_hash == GENESIS and chained and count == 0:
        return chained[0], "it was appended behind Chambers' back: the chain head records no events"
    if count > len(chained):
        after = last.id if last else 0
        lost = count - len(chained)
        what = "every event is" if not chained else f"the newest {lost} event{'s are' if lost > 1 else ' is'}"
        return missing(after + 1), (f"{what} missing: the chain head records {count} events, "
                                    f"the log holds {len(chained)}")
    return (last or missing(1)), ("the chain head kept in chambers_meta does not match the log: the chain "
                                  "was recomputed or the head was changed")


def first_broken(events: Iterable[AuditEvent], head: tuple[int, str] | None = None,
                 references: Iterable[AuditReference] = ()) -> tuple[AuditEvent | None, str]:
    """The first event whose chain does not hold and why; ``(None, "")`` when all is intact.

    ``head`` is (count, hash) as kept beside the log; ``references`` are the rows that recorded
    their events. A missing event is reported as ``missing(id)``.
    """
    ordered = list(events)
    chained, problem = _walk(ordered)
    problems: list[tuple[int, int, AuditEvent, str]] = []
    if problem is not None:
        problems.append((problem[0].id, 0, *problem))
    elif head is not None and (found := _head(chained, head)) is not None:
        problems.append((found[0].id, 1, *found))
    by_id = {e.id: e for e in ordered}
    newest: dict[int, int] = {}
    for event in ordered:
        if event.letter_id is not None:
            newest[event.letter_id] = event.id
    unvouched: list[str] = []
    references = list(references)
    by_hash = {e.hash: e.id for e in ordered}
    proven = sorted({r.audit_id for r in references if r.audit_id and r.audit_id in by_id
                     and by_id[r.audit_id].hash == r.audit_hash}
                    | {by_hash[r.prev_hash] for r in references if r.prev_hash in by_hash})
    for ref in references:
        if ref.audit_id is None:
            unvouched.append(ref.what)
            continue
        if ref.audit_id == BEFORE_CUSTODY:
            continue
        recorded = by_id.get(ref.audit_id)
        if recorded is None:
            # The events cut with it start right after the newest event still in the log before it.
            gap = max((e.id for e in ordered if e.id < ref.audit_id), default=0) + 1
            span = f"events {gap} to {ref.audit_id} are" if gap < ref.audit_id else f"event {gap} is"
            problems.append((gap, 2, missing(gap), f"{span} missing: {ref.what} records event {ref.audit_id}"))
        elif recorded.hash != ref.audit_hash:
            # The chain was recomputed after an edit somewhere after the newest event a row still
            # proves; the first event past it is the first that can no longer be trusted.
            good = max((i for i in proven if i < recorded.id), default=0)
            first = next(e for e in ordered if e.id > good)
            problems.append((first.id, 2, first,
                             f"the chain was recomputed from here on after an edit: {ref.what} recorded event "
                             f"{recorded.id} with another hash"
                             + (f", and event {good} is the last one a row still proves" if good else "")))
        elif ref.newest and recorded.letter_id is not None and newest.get(recorded.letter_id, 0) > recorded.id:
            later = by_id[newest[recorded.letter_id]]
            problems.append((later.id, 2, later,
                             f"it was added behind Chambers' back: {ref.what} records event {recorded.id} "
                             "as its newest"))
    if problems:
        _id, _order, event, why = min(problems, key=lambda p: (p[0], p[1]))
        return event, why
    if unvouched:
        more = f" (and {len(unvouched) - 1} more)" if len(unvouched) > 1 else ""
        return missing(0), f"{unvouched[0]}{more} has no audit event: it was written behind Chambers' back"
    return None, ""
