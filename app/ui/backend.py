"""The window's two desks (the Qt-free code lives in ``app.services.desk``), with the data folder filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.bootstrap import data_dir
from app.core.records import Clause as ClauseItem
from app.services.desk import LocalDesk, ServiceDesk
from app.services.views import Row

__all__ = ["ClauseItem", "LocalBackend", "Row", "ServiceBackend"]

ServiceBackend = ServiceDesk


@dataclass
class LocalBackend(LocalDesk):
    """This computer alone, in the data folder's ``workspace``."""

    folder: Path = field(default_factory=lambda: data_dir() / "workspace")
