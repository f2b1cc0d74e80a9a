"""The composition root: settings -> template library (-> engine -> repositories -> services)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from app.core.files import protect_database_url, protect_folder
from app.services.templates import SHIPPED, TemplateLibrary

if TYPE_CHECKING:  # storage is imported when a database is opened, not for a plain render
    from app.services.drafts import Drafts
    from app.services.journal import Journal
    from app.services.office import Clauses, CourtProfileService, Profile, Users
    from app.services.signing import Signing
    from app.storage.interfaces import Store
    from app.storage.sql import SqlStore

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
    for folder in settings.template_folders:
        protect_folder(folder, "a template folder")  # no letter is ever written into a pack
    return TemplateLibrary(settings.template_folders)


# --- storage and the services over it ---------------------------------------------------------
DATABASE_FILE = "chambers.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """``--db`` first, then $CHAMBERS_DATABASE_URL, else the embedded SQLite file."""
    url = explicit or os.environ.get("CHAMBERS_DATABASE_URL")
    return url or f"sqlite:///{data_dir() / DATABASE_FILE}"


def journal_folder(url: str) -> Path:
    """The recovery journals live next to the database (or in the data folder for a server),
    one folder per user below this one."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db = Path(url.removeprefix("sqlite:///"))
        return db.with_name(db.stem + ".recovery")
    return data_dir() / "journal"


@dataclass
class Services:
    """Everything the GUI and the command line use, over one open database."""

    store: Store
    library: TemplateLibrary
    journal: Journal
    drafts: Drafts
    users: Users
    clauses: Clauses
    profile: Profile
    court: CourtProfileService  # the office's letterhead (one per database)
    signing: Signing            # judges' certificates, trust anchors, signed export, PDF verify

    def close(self) -> None:
        self.store.close()


def resolved_database_url(url: str | None = None) -> str:
    """The database's URL as the store names it (a SQLite path made absolute), without opening it."""
    from app.storage.urls import normalize_url

    return normalize_url(database_url(url))


def open_database(url: str | None = None) -> SqlStore:
    """The database named by ``url`` (see ``database_url``); an embedded one is migrated first."""
    from app.storage.database import open_store

    resolved = resolved_database_url(url)
    protect_database_url(resolved)  # no export may ever be written over it
    return open_store(resolved, migrate=resolved.startswith("sqlite"))


def preload_for_window() -> None:
    """Import what the window will use before PySide6 is imported.

    PySide6 installs an import hook that reads the source of every module imported after it
    (to look for ``from __feature__``); measured at 0.5 s of a 6 s cold start for the storage,
    rendering and pydantic modules. Importing them first skips that hook.
    """
    import app.services.desk
    import app.services.journal
    import app.services.office
    import app.services.startcard  # noqa: F401

    # Not app.storage (SQLAlchemy): the window opens the database after it shows the last letter.


def services(db: str | None = None, as_user: str | None = None, settings: Settings | None = None) -> Services:
    from app.core.records import User
    from app.services.drafts import Drafts
    from app.services.journal import Journal
    from app.services.office import Clauses, CourtProfileService, Profile, Users, resolve_user, seed
    from app.services.signing import Signing
    from app.storage.database import add_login, enable_login

    store = open_database(db)
    url = store.url
    library = template_library(settings)
    profile = Profile(data_dir() / "profile.json")
    cache: list[User] = []

    def actor() -> User:
        if not cache:
            cache.append(resolve_user(store, profile, as_user))
        return cache[0]

    if store.login()[1]:
        seed(store, library)
    journal = Journal(journal_folder(url), lambda: actor().name)
    drafts = Drafts(store, library, journal, actor)
    return Services(
        store=store, library=library, journal=journal,
        drafts=drafts,
        users=Users(store, actor, lambda name, role, password: add_login(store, name, role, password),
                    lambda name, enabled: enable_login(store, name, enabled)),
        clauses=Clauses(store, actor), profile=profile, court=CourtProfileService(store, actor),
        signing=Signing(store, drafts, actor),
    )
