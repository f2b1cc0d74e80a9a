"""The composition root: settings -> template library (-> engine -> repositories -> services)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from app.services.templates import SHIPPED, TemplateLibrary

APP_NAME = "Chambers"


def data_dir() -> Path:
    """The platform data folder (overridable with $CHAMBERS_HOME, as tests do)."""
    override = os.environ.get("CHAMBERS_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    """Where things are; from the environment for now, from the settings dialog later."""

    template_folders: list[Path] = field(default_factory=list)

    @classmethod
    def from_environment(cls) -> Settings:
        folders = [SHIPPED, data_dir() / "templates"]
        extra = os.environ.get("CHAMBERS_TEMPLATES")
        if extra:
            folders = [Path(p) for p in extra.split(os.pathsep) if p] + folders
        return cls(template_folders=folders)


def template_library(settings: Settings | None = None) -> TemplateLibrary:
    settings = settings or Settings.from_environment()
    return TemplateLibrary(settings.template_folders)
