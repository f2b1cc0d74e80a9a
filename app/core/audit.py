"""The audit log's hash chain: each event's hash covers its own fields and the hash before it.

Changing, removing or reordering any row breaks every hash after it, so walking the chain
names the first row that was altered behind the application's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from app.core.records import AuditEvent

GENESIS = "0" * 64


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, event_id: int, at: str, actor: str, action: str, letter_id: int | None,
               detail: str) -> str:
    payload = json.dumps([prev_hash, event_id, at, actor, action, letter_id, detail],
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def first_broken(events: Iterable[AuditEvent]) -> tuple[AuditEvent | None, str]:
    """The first event whose chain does not hold and why; ``(None, "")`` when all is intact."""
    prev = GENESIS
    expected_id = None
    for event in events:
        if expected_id is not None and event.id != expected_id:
            return event, f"row {expected_id} is missing (the next row is {event.id})"
        if event.prev_hash != prev:
            return event, "it does not follow the row before it (a row was removed or replaced)"
        if event_hash(prev, event.id, event.at, event.actor, event.action, event.letter_id,
                      event.detail) != event.hash:
            return event, "its content was changed after it was written"
        prev = event.hash
        expected_id = event.id + 1
    return None, ""
