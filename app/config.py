"""Chambers' settings in one place: ``chambers.toml`` and the environment.

Each setting has one key in ``chambers.toml`` and one environment variable; the variable wins
over the file, the file over the built-in default. The file is the platform's config folder's
``Chambers/chambers.toml`` (on Linux ``~/.config/Chambers/chambers.toml``), or the file named by
``$CHAMBERS_CONFIG``. ``configured()`` puts the file's values in the environment, where every
part of Chambers already reads them, for as long as a command or the window runs;
``chambers config show`` prints each value and where it came from.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.core.errors import ChambersError

CONFIG_FILE = "chambers.toml"
CONFIG_VARIABLE = "CHAMBERS_CONFIG"


@dataclass(frozen=True)
class Setting:
    key: str  # in chambers.toml
    variable: str  # in the environment
    kind: type  # str, bool or list (of folders)
    help: str
    default: str
    secret: bool = False


SETTINGS = (
    Setting("database_url", "CHAMBERS_DATABASE_URL", str,
            "The drafts database: a SQLite file (a path or sqlite:///PATH) or an office's PostgreSQL server "
            "(postgresql://USER@HOST:PORT/DATABASE?sslmode=verify-full). Give a server's password in "
            "~/.pgpass or $PGPASSWORD, not here.", "chambers.sqlite3 in the data folder", secret=True),
    Setting("data_folder", "CHAMBERS_HOME", str,
            "Where Chambers keeps the local database, the recovery files, the court's own packs "
            "(templates/), the log (logs/) and its caches.", "the platform's data folder"),
    Setting("template_folders", "CHAMBERS_TEMPLATES", list,
            "More folders of template packs, searched before the shipped packs (in the environment: "
            f"separated by '{os.pathsep}').", "none"),
    Setting("soffice", "CHAMBERS_SOFFICE", str,
            "The LibreOffice program used for PDF and page views.", "soffice or libreoffice on the PATH"),
    Setting("uno_python", "CHAMBERS_UNO_PYTHON", str,
            "A Python that can `import uno` (LibreOffice's bridge) for a resident LibreOffice.",
            "the system Python, then LibreOffice's own"),
    Setting("no_uno", "CHAMBERS_NO_UNO", bool,
            "true: start LibreOffice anew for every conversion instead of keeping one resident.", "false"),
    Setting("log_level", "CHAMBERS_LOG_LEVEL", str,
            "What the log file in the data folder keeps: debug, info, warning or error "
            "(--verbose and --quiet change what is printed, not this).", "info"),
    Setting("login_password", "CHAMBERS_LOGIN_PASSWORD", str,
            "`users add` on PostgreSQL: the new login's password, when neither --ask-password nor "
            "--password-stdin is given. Environment only: never in the file, never on the command line.",
            "no password (the server authenticates the login another way)", secret=True),
)
FILE_KEYS = {s.key: s for s in SETTINGS if s.key != "login_password"}


class ConfigProblem(ChambersError):
    """chambers.toml cannot be used; the message names the file and the key or line."""


def config_path() -> Path | None:
    """The settings file: $CHAMBERS_CONFIG (set but empty: none), else the platform's config folder's."""
    named = os.environ.get(CONFIG_VARIABLE)
    if named is not None:
        return Path(named).expanduser() if named else None
    return Path(platformdirs.user_config_dir("Chambers", appauthor=False)) / CONFIG_FILE


def read_file(path: Path | None = None) -> dict[str, str]:
    """The settings in ``chambers.toml`` as environment values; {} when there is no file."""
    path = path or config_path()
    if path is None:
        return {}
    try:
        with open(path, "rb") as stream:
            table = tomllib.load(stream)
    except FileNotFoundError:
        if os.environ.get(CONFIG_VARIABLE):
            raise ConfigProblem(f"{path} (named by ${CONFIG_VARIABLE}): no such file") from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigProblem(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    values: dict[str, str] = {}
    for key, value in table.items():
        setting = FILE_KEYS.get(key)
        if setting is None:
            known = ", ".join(sorted(FILE_KEYS))
            hint = " (passwords are never kept in this file)" if "password" in key else ""
            raise ConfigProblem(f"{path}: unknown setting {key!r}{hint}; the settings are: {known}")
        values[setting.variable] = _as_text(path, setting, value)
    return values


def _as_text(path: Path, setting: Setting, value: object) -> str:
    if setting.kind is bool:
        if not isinstance(value, bool):
            raise ConfigProblem(f"{path}: {setting.key} must be true or false, not {value!r}")
        return "1" if value else "0"
    if setting.kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigProblem(f'{path}: {setting.key} must be a list of folders, e.g. ["/srv/packs"]')
        return os.pathsep.join(str(Path(v).expanduser()) for v in value)
    if not isinstance(value, str):
        raise ConfigProblem(f"{path}: {setting.key} must be text in quotes, not {value!r}")
    if setting.key == "log_level" and value.lower() not in ("debug", "info", "warning", "error"):
        raise ConfigProblem(f"{path}: log_level must be debug, info, warning or error, not {value!r}")
    return str(Path(value).expanduser()) if setting.key in ("data_folder", "soffice", "uno_python") else value


_FROM_FILE: set[str] = set()  # the variables ``configured`` set from the file, not the user


@contextlib.contextmanager
def configured() -> Iterator[dict[str, str]]:
    """The file's settings in the environment (a variable already set wins) while the block runs."""
    values = read_file()
    added = {k: v for k, v in values.items() if k not in os.environ}
    os.environ.update(added)
    _FROM_FILE.update(added)
    try:
        yield values
    finally:
        for key in added:
            os.environ.pop(key, None)
            _FROM_FILE.discard(key)


def mask(setting: Setting, value: str) -> str:
    """A value as it may be shown: passwords (in a URL too) never."""
    if setting.key == "login_password":
        return "********" if value else ""
    if setting.secret:
        return re.sub(r"(://[^/:@]*):[^/@]*@", r"\1:********@", value)
    return value


def shown() -> list[tuple[Setting, str, str]]:
    """(setting, value as shown, where it came from) for every setting."""
    path = config_path()
    in_file = read_file(path) if path else {}
    rows = []
    for setting in SETTINGS:
        if setting.variable in os.environ and setting.variable not in _FROM_FILE:
            value, source = os.environ[setting.variable], f"${setting.variable}"
        elif setting.variable in in_file:
            value, source = in_file[setting.variable], f"{path} ({setting.key})"
        else:
            value, source = "", "default"
        rows.append((setting, mask(setting, value) if value else f"({setting.default})", source))
    return rows


# --- the log -------------------------------------------------------------------------------------
LOG_FILE = "chambers.log"
LOG_BYTES, LOG_KEPT = 1_000_000, 5  # at most about 6 MB of log per data folder


@contextlib.contextmanager
def logging_to(data_folder: Path, verbosity: int = 0) -> Iterator[Path | None]:
    """Log to ``logs/chambers.log`` in the data folder (rotated, owner-only) at $CHAMBERS_LOG_LEVEL,
    and to standard error at warning (``verbosity`` 1: info, 2: debug, -1: errors only) while the
    block runs; the log file's path, or None when the data folder cannot be written."""
    import logging
    import logging.handlers

    from app.core.files import create_private_file, make_private_folder

    root = logging.getLogger("app")
    shown = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    kept = getattr(logging, os.environ.get("CHAMBERS_LOG_LEVEL", "info").upper(), logging.INFO)
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler()
    console.setLevel(shown)
    console.setFormatter(logging.Formatter("chambers: %(message)s"))
    handlers.append(console)
    log_file = data_folder / "logs" / LOG_FILE
    path: Path | None = log_file
    try:
        make_private_folder(log_file.parent)
        create_private_file(log_file)
        file = logging.handlers.RotatingFileHandler(log_file, maxBytes=LOG_BYTES, backupCount=LOG_KEPT,
                                                    encoding="utf-8")
        file.setLevel(kept)
        file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        handlers.append(file)
    except OSError:
        path = None  # a read-only data folder: the command still runs, its log goes to stderr only
    level_before = root.level
    root.setLevel(min(h.level for h in handlers))
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield path
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level_before)
