"""The public side of signing, as the database keeps it: judges' certificates and trust anchors.

Only public certificates (DER) live here; a private key never enters the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class BoundCertificate:
    """A judge's signing certificate, bound by an admin; the newest binding is the one in force."""

    user: str
    sha256: str
    der: bytes
    subject: str
    not_after: dt.datetime
    bound_by: str
    bound_at: dt.datetime


@dataclass(frozen=True)
class TrustAnchor:
    """A certificate (the office's CA, or a CA it accepts) that signing certificates must chain to."""

    sha256: str
    der: bytes
    subject: str
    added_by: str
    added_at: dt.datetime
    removed_by: str | None = None
    removed_at: dt.datetime | None = None
