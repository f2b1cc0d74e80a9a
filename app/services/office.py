"""The court office around the letters: who the user is, users and roles,
the address book of officials, and the seed data drawn from the flagship sample letter."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.core import hostos, jsondata
from app.core.errors import LetterInvalid, Problem, TemplateProblem
from app.core.files import atomic_write
from app.core.letter import MAX_ADDRESS_LINES, Sender
from app.core.records import AddressBookEntry, CourtProfile, User, utc_now
from app.core.text import is_clean
from app.core.vocabulary import ADDRESSEE_OPTIONAL
from app.core.workflow import Action, NotFound, Refused, Role, check_role, may
from app.services.clauses import FLAGSHIP, starter_clauses
from app.services.templates import TemplateLibrary
from app.storage.interfaces import Store, Transaction


class Profile:
    """The local profile: which user this desktop is, chosen once in the first-run dialog.

    ``--as NAME`` (or the window's ``--user``) is for one session and never written here.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def name(self) -> str | None:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8")).get("name")
        except (OSError, ValueError, AttributeError):
            return None
        return value if isinstance(value, str) and value else None

    def choose(self, name: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps({"name": name}).encode("utf-8"))


def resolve_user(store: Store, profile: Profile, as_name: str | None) -> User:
    """Who is acting. On PostgreSQL with a member login, the login itself, whatever is claimed."""
    login, privileged = store.login()
    with store.read() as tx:
        if not privileged:
            if as_name and as_name != login:
                raise Refused(f"you are connected as the database login {login}; you cannot act as {as_name}")
            user = tx.users.get(login)
            if user is None:
                raise Refused(f"the database login {login} is not a Chambers user; ask an admin to add it")
            _check_active(user)
            return user
        name = as_name or profile.name()
        if not name:
            known = ", ".join(u.name for u in tx.users.list()) or "none yet"
            raise Refused(f"say who you are with --as NAME (users: {known}); "
                          "the first user is made with: users add NAME --role admin")
        user = tx.users.get(name)
        if user is None:
            raise Refused(f"there is no user called {name}; an admin adds one with: users add {name} --role clerk")
    _check_active(user)
    return user


def _check_active(user: User) -> None:
    if not user.active:
        raise Refused(f"{user.name} is deactivated and can no longer act; an admin can reactivate the account "
                      f"with: users activate {user.name}")


_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")

# What each role may do, in a sentence for the person choosing one.
ROLE_SENTENCES = {
    Role.CLERK: "writes letters, edits them and submits them to a judge for review",
    Role.JUDGE: "reviews letters: comments, requests changes, approves and exports the final letter",
    Role.ADMIN: "manages users, the clause bank and template packs (writes no letters)",
}


def check_user_name(name: str) -> None:
    if not _NAME.match(name):
        raise Refused(f"{name!r} cannot be a user name: start with a lower-case letter and use lower-case "
                      "letters, digits, '.', '_' or '-'")


@dataclass(frozen=True)
class LocalIdentity:
    """Who this desktop is on its embedded database, or who it could be."""

    user: User | None        # settled: the claimed name or the local profile names an existing user
    users: list[User]        # everyone in the database (empty: the very first start)
    embedded: bool           # SQLite: the app checks roles itself, and the user is the local profile


def local_identity(store: Store, profile: Profile, claimed: str | None = None) -> LocalIdentity:
    """The claimed user or the local profile's, when the database knows it; else who could be chosen."""
    with store.read() as tx:
        users = tx.users.list()
    known = {u.name: u for u in users if u.active}
    embedded = store.dialect == "sqlite"
    for name in (claimed, profile.name()):
        if name and name in known:
            return LocalIdentity(known[name], users, embedded)
    return LocalIdentity(None, users, embedded)


def _embedded_only(store: Store, what: str) -> None:
    if store.dialect != "sqlite":
        raise Refused(f"{what} only on this computer's own database (SQLite); on the shared {store.dialect} "
                      "database you are your database login, and an admin adds users with: users add NAME")


def create_first_user(store: Store, profile: Profile, name: str, role: Role = Role.ADMIN, full_name: str = "",
                      admin_name: str = "admin") -> User:
    """The first start on the embedded database: make its first user and make this desktop that user.

    The first person is an admin, so that someone can add the others. When they choose to be a
    clerk or a judge instead, an admin account ``admin_name`` is made beside theirs (this desktop
    can act as it with ``--as``), so a first clerk is never locked out of adding a judge.
    Refused on a server database, and once the database has any user (then an admin adds users,
    or this desktop picks one of them with ``choose_local_user``).
    """
    _embedded_only(store, "the first user is made this way")
    name, admin_name = name.strip(), admin_name.strip()
    check_user_name(name)
    if role is not Role.ADMIN:
        check_user_name(admin_name)
        if admin_name == name:
            raise Refused(f"{name} cannot be both the first {role.value} and the admin: name the admin differently")
    now = utc_now()
    user = User(name, role, full_name.strip())
    with store.write() as tx:  # counted inside the write, so two first starts cannot both win
        existing = tx.users.list()
        if existing:
            known = ", ".join(u.name for u in existing)
            raise Refused(f"this database already has users ({known}): choose one of them, "
                          f"or ask an admin to add you with: users add {name} --role {role.value}")
        tx.users.add(user, now)
        tx.audit.append(name, "user_added", None, {"user": name, "role": role.value, "first_user": True}, now)
        if role is not Role.ADMIN:
            tx.users.add(User(admin_name, Role.ADMIN), now, actor=name)
    profile.choose(name)
    return user


def choose_local_user(store: Store, profile: Profile, name: str) -> User:
    """This desktop is ``name`` from now on (the embedded database only, as ``--as NAME`` does)."""
    _embedded_only(store, "choosing who you are is done")
    with store.read() as tx:
        user = tx.users.get(name)
    if user is None:
        raise Refused(f"there is no user called {name}; an admin adds one with: users add {name} --role clerk")
    _check_active(user)
    profile.choose(name)
    return user


class Users:
    def __init__(self, store: Store, actor: Callable[[], User],
                 add_login: Callable[[str, str, str | None], str] | None = None,
                 enable_login: Callable[[str, bool], str] | None = None,
                 actor_changed: Callable[[], None] | None = None) -> None:
        self.store = store
        self._actor = actor
        self._add_login = add_login
        self._enable_login = enable_login
        # Whoever caches the acting user hears when an admin changed their own account, so the
        # services act in the new role at once, not in the one they had when the database opened.
        self._actor_changed = actor_changed

    def add(self, name: str, role: Role, full_name: str = "", signature_png: bytes | None = None,
            password: str | None = None) -> str:
        """Add a user (the very first one needs nobody's permission); what was done."""
        check_user_name(name)
        if signature_png is not None:
            check_signature_png(signature_png)
        with self.store.read() as tx:
            first = tx.users.count() == 0
        actor = name if first else self._actor().name
        if not first:
            user = self._actor()
            check_role(user.name, user.role, Action.MANAGE_USERS)
        now = utc_now()
        with self.store.write() as tx:
            tx.users.add(User(name, role, full_name, signature_png), now, actor=actor)
        done = f"added {name} as {role.value}"
        if self._add_login is not None:
            login = self._add_login(name, role.value, password)
            if login:
                done += f"; database {login}"
        return done

    def list(self) -> list[User]:
        with self.store.read() as tx:
            return tx.users.list()

    # --- an admin's changes to a user -------------------------------------------------------
    def _admin(self) -> User:
        admin = self._actor()
        check_role(admin.name, admin.role, Action.MANAGE_USERS)
        return admin

    def _change(self, name: str, **values: Any) -> User:
        admin = self._admin()
        now = utc_now()
        with self.store.write() as tx:
            before = tx.users.get(name)
            if before is None:
                raise NotFound(f"there is no user called {name}")
            after = replace(before, **values)
            if _is_admin(before) and not _is_admin(after):
                others = [u.name for u in tx.users.list() if _is_admin(u) and u.name != name]
                if not others:
                    what = "deactivated" if not after.active else f"made {after.role.value}"
                    raise Refused(f"{name} is the last active admin and cannot be {what}: make another "
                                  f"user an admin first (users role NAME admin), or nobody could manage users")
            changed = tx.users.update(name, admin.name, now, **values)
        if name == admin.name and self._actor_changed is not None:
            self._actor_changed()
        return changed

    def set_role(self, name: str, role: Role) -> str:
        """Give ``name`` another role (their database login moves to that role's group too)."""
        self._admin()  # refused before anything is said about the user
        with self.store.read() as tx:
            before = tx.users.get(name)
        if before is not None and before.role is role:
            return f"{name} is already {_article(role.value)}"
        self._change(name, role=role)
        done = f"{name} is now {_article(role.value)}"
        if self._add_login is not None:
            login = self._add_login(name, role.value, None)
            if login:
                done += f"; database {login}"
        return done

    def deactivate(self, name: str) -> str:
        """``name`` can no longer act; their letters, versions and approvals stay as they are."""
        if name == self._admin().name:
            raise Refused(f"{name}: an admin cannot deactivate their own account; another admin can")
        self._change(name, active=False)
        return self._login(f"deactivated {name}", name, enabled=False)

    def activate(self, name: str) -> str:
        self._change(name, active=True)
        return self._login(f"reactivated {name}", name, enabled=True)

    def _login(self, done: str, name: str, enabled: bool) -> str:
        login = self._enable_login(name, enabled) if self._enable_login is not None else ""
        return f"{done}; database {login}" if login else done

    reactivate = activate

    def set_signature(self, name: str, png: bytes | None) -> str:
        """The image signed onto letters ``name`` approves; None removes it."""
        if png is not None:
            check_signature_png(png)
        self._change(name, signature_png=png)
        return f"set the signature image of {name}" if png is not None else f"removed the signature image of {name}"


def _is_admin(user: User) -> bool:
    return user.active and may(user.role, Action.MANAGE_USERS)


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
MAX_SIGNATURE_PIXELS = 8000


def check_signature_png(data: bytes) -> tuple[int, int]:
    """A signature image must be a PNG of sane size; its (width, height) from the IHDR chunk."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise Refused(f"the signature image is {len(data):,} bytes; the limit is {MAX_SIGNATURE_BYTES:,}")
    if not data.startswith(PNG_MAGIC) or len(data) < 33 or data[12:16] != b"IHDR":
        raise Refused("the signature image is not a PNG file (it must start with the PNG signature and "
                      "an IHDR header)")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIGNATURE_PIXELS and 0 < height <= MAX_SIGNATURE_PIXELS):
        raise Refused(f"the signature image is {width}x{height} pixels; each side must be 1 to "
                      f"{MAX_SIGNATURE_PIXELS}")
    return width, height


def addresses(store: Store) -> list[AddressBookEntry]:
    with store.read() as tx:
        return tx.addresses.list()


def address_entry(data: dict[str, Any]) -> AddressBookEntry:
    """An address book entry from an addressee of the letter JSON."""
    def optional(key: str) -> str | None:
        value = data.get(key)
        return value.strip() or None if isinstance(value, str) else None

    lines = tuple(str(line).strip() for line in data.get("address") or () if str(line).strip())
    # The book keeps "" for no title (its column is not null); every other optional field is None.
    return AddressBookEntry(0, name=str(data.get("name") or "").strip(), title=str(data.get("title") or "").strip(),
                            address=lines, **{key: optional(key) for key in ADDRESSEE_OPTIONAL if key != "title"})


class AddressBookService:
    """The court's address book of officials: clerks and admins add to it, everyone reads it."""

    def __init__(self, store: Store, actor: Callable[[], User]) -> None:
        self.store = store
        self._actor = actor

    def list(self) -> list[AddressBookEntry]:
        return addresses(self.store)

    def save(self, entry: AddressBookEntry) -> tuple[AddressBookEntry, bool]:
        """Add ``entry``, or update the one with the same name and title; (the entry, whether it is new).

        The title may be empty (a private person, a priest): protocol gives them none."""
        user = self._actor()
        check_role(user.name, user.role, Action.MANAGE_ADDRESS_BOOK)
        entry = replace(entry, name=entry.name.strip(), title=entry.title.strip())
        if not entry.name:
            raise Refused("an address book entry needs the addressee's name")
        now = utc_now()
        with self.store.write() as tx:
            same = [e for e in tx.addresses.list() if (e.name, e.title) == (entry.name, entry.title)]
            saved = tx.addresses.update(replace(entry, id=same[0].id)) if same else tx.addresses.add(entry)
            tx.audit.append(user.name, "address_updated" if same else "address_added", None,
                            {"entry": saved.id, "name": saved.name, "title": saved.title}, now)
        return saved, not same


def seed(store: Store, library: TemplateLibrary) -> bool:
    """Fill the clause bank and address book from the flagship sample letter, once.

    The text is read from the pack's ``sample.json`` at seed time; while the pack is missing
    nothing is seeded (and the next start tries again).
    """
    with store.read() as tx:
        if tx.meta.get("seeded"):
            return False
    try:
        sample: dict[str, Any] = jsondata.loads(library.sample(FLAGSHIP))
    except (TemplateProblem, LetterInvalid, ValueError):
        return False
    now = utc_now()
    with store.write() as tx:
        if tx.meta.get("seeded"):
            return False
        for clause in starter_clauses(sample):
            tx.clauses.add(clause.title, clause.text, clause.tags, now)
        known = {(e.name, e.title) for e in tx.addresses.list()}
        for raw in sample.get("addressees") or []:
            if not isinstance(raw, dict) or not raw.get("name"):
                continue
            entry = address_entry(raw)
            if (entry.name, entry.title) in known:
                continue
            tx.addresses.add(entry)
        tx.meta.set("seeded", FLAGSHIP)
        tx.audit.append("chambers", "seeded", None, {"from": f"{FLAGSHIP}/sample.json"}, now)
    return True


# --- the court profile: the office's letterhead --------------------------------------------------
MAX_SEAL_BYTES = 2 * 1024 * 1024
MIN_SEAL_PIXELS, MAX_SEAL_PIXELS = 32, 4000
_PROFILE_TEXT = ("court", "chambers", "phone", "email", "signatory_name", "signatory_title")
_PROFILE_LABELS = {"court": "court name", "chambers": "chambers line", "address": "address",
                   "phone": "telephone", "email": "e-mail", "signatory_name": "default signatory's name",
                   "signatory_title": "default signatory's title"}


def check_seal_png(data: bytes, where: str = "the seal image") -> tuple[int, int]:
    """A seal must be a PNG of sane size, big enough to print sharp; its (width, height)."""
    _png, width, height = canonical_seal_png(data, where)
    return width, height


def canonical_seal_png(data: bytes, where: str = "the seal image") -> tuple[bytes, int, int]:
    """The seal as it is kept and printed: its pixels alone, encoded again; with (width, height).

    A PNG may carry anything beside its picture: text and private chunks, a second file after
    IEND, or an image stream that inflates far beyond what its pixels need (1 GB of zeros fit in
    a 1 MB file, and LibreOffice inflates them all on every PDF). Decoding only the pixels the
    header declares (a bounded size, checked before anything is inflated) and encoding them anew
    leaves none of that. The office pins this encoding's hash, so re-encoding a kept seal gives
    the same bytes and the same pin.
    """
    if len(data) > MAX_SEAL_BYTES:
        raise Refused(f"{where} is {len(data):,} bytes; a seal may be at most {MAX_SEAL_BYTES:,} bytes")
    if not data.startswith(PNG_MAGIC) or len(data) < 33 or data[12:16] != b"IHDR":
        raise Refused(f"{where} is not a PNG file (it must start with the PNG signature and an IHDR header); "
                      "save the seal or logo as PNG")
    width, height = struct.unpack(">II", data[16:24])
    if not (MIN_SEAL_PIXELS <= width <= MAX_SEAL_PIXELS and MIN_SEAL_PIXELS <= height <= MAX_SEAL_PIXELS):
        raise Refused(f"{where} is {width}x{height} pixels; each side must be {MIN_SEAL_PIXELS} to "
                      f"{MAX_SEAL_PIXELS} pixels (a seal prints about an inch wide)")
    return _reencode_png(data, where), width, height


def read_seal_file(path: Path) -> bytes:
    """A seal file as it will be printed (``canonical_seal_png``): ``LetterInvalid`` naming the file
    when it is no sane PNG; a FIFO, device or link is refused before it is opened for reading."""
    data = hostos.read_regular(path, MAX_SEAL_BYTES)
    try:
        return canonical_seal_png(data, str(path))[0]
    except Refused as exc:
        raise LetterInvalid([Problem("--seal", str(exc))]) from None


_SEAL_MODES = ("1", "L", "LA", "P", "RGB", "RGBA")


def _reencode_png(data: bytes, where: str) -> bytes:
    """Decode every pixel once (the size is capped above) and encode them again: a truncated or
    damaged file would print as a broken picture on every letter of the office, so it is refused
    here instead; and nothing but the picture survives into the seal."""
    import io

    from PIL import Image, UnidentifiedImageError  # only when a seal is set: Pillow costs start-up time

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            # The header was checked above; Pillow's own bound stays as the second line.
            if image.width * image.height > MAX_SEAL_PIXELS * MAX_SEAL_PIXELS:
                raise Refused(f"{where} is {image.width}x{image.height} pixels; too large for a seal")
            image.load()
            picture = image if image.mode in _SEAL_MODES else image.convert("RGBA")
            out = io.BytesIO()
            keep: dict[str, Any] = {}
            if "transparency" in picture.info and picture.mode in ("1", "L", "P", "RGB"):
                keep["transparency"] = picture.info["transparency"]
            dpi = picture.info.get("dpi")
            if isinstance(dpi, tuple) and len(dpi) == 2 and all(0 < float(v) <= 10_000 for v in dpi):
                keep["dpi"] = tuple(round(float(v)) for v in dpi)
            # Pillow writes only what it is given here: no text, ICC profile, EXIF or private chunks.
            picture.save(out, format="PNG", compress_level=9, **keep)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Refused(f"{where} is damaged and cannot be read as a PNG picture ({exc}); save it again as PNG") \
            from None
    return out.getvalue()


def check_profile(profile: CourtProfile) -> None:
    """The profile's text must be what a letter may hold, since every new letter copies it."""
    problems = []
    for key in _PROFILE_TEXT:
        value = getattr(profile, key)
        if len(value) > 20_000:
            problems.append(f"the {_PROFILE_LABELS[key]} is {len(value):,} characters; at most 20,000")
        elif not is_clean(value) or "\n" in value:
            problems.append(f"the {_PROFILE_LABELS[key]} holds a line break or a character a Word document "
                            "cannot hold")
    if len(profile.address) > MAX_ADDRESS_LINES:
        problems.append(f"the address has {len(profile.address)} lines; at most {MAX_ADDRESS_LINES}")
    for number, line in enumerate(profile.address, start=1):
        if not line.strip() or not is_clean(line) or "\n" in line or len(line) > 20_000:
            problems.append(f"address line {number} is empty, too long or holds a character a Word document "
                            "cannot hold")
    if not profile.court.strip():
        problems.append("the court name is required: every letter's letterhead prints it")
    if not problems:
        try:
            Sender.model_validate(profile.sender())
        except ValidationError as exc:
            problems += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if problems:
        raise Refused("the court profile was not saved: " + "; ".join(problems))


class OfficeSeals(Mapping[str, bytes]):
    """The office's seal images by reference ("sha256:<hex>"), read from the database when a
    render asks for one; what the renderer is given so that a letter prints the seal it pins."""

    def __init__(self, lookup: Callable[[str], bytes | None]) -> None:
        self._lookup = lookup
        self._found: dict[str, bytes] = {}

    @classmethod
    def of(cls, store: Store) -> OfficeSeals:
        def lookup(reference: str) -> bytes | None:
            with store.read() as tx:
                return tx.court_profile.seal(reference)
        return cls(lookup)

    def __getitem__(self, reference: str) -> bytes:
        if reference not in self._found:
            found = self._lookup(reference)
            if found is None:
                raise KeyError(reference)
            self._found[reference] = found  # stored seals never change: keep it for the next render
        return self._found[reference]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)  # only those already read: the store is not listed

    def __len__(self) -> int:
        return len(self._found)


class CourtProfileService:
    """The office's court profile: everyone reads it, an admin changes it; new letters take
    their sender and signatory from it, and pin its seal by hash."""

    def __init__(self, store: Store, actor: Callable[[], User]) -> None:
        self.store = store
        self._actor = actor
        self.seals = OfficeSeals.of(store)

    def get(self) -> CourtProfile:
        with self.store.read() as tx:
            return tx.court_profile.get()

    def _admin(self) -> User:
        user = self._actor()
        check_role(user.name, user.role, Action.EDIT_COURT_PROFILE)
        return user

    def update(self, expect_version: int | None = None, *, seal_png: bytes | None = None,
               **changes: Any) -> CourtProfile:
        """Change the given fields (court, chambers, address, phone, email, signatory_name,
        signatory_title, seal) and, with ``seal_png``, make that image the seal; all in one write.
        ``expect_version``: the version the admin edited, refused when another change came in
        between (None: on top of whatever is there now)."""
        admin = self._admin()
        # What is stored (and pinned by its hash) is the seal's pixels encoded anew, never the file given.
        seal = canonical_seal_png(seal_png) if seal_png is not None else None
        with self.store.write() as tx:
            if seal is not None:
                changes["seal"] = tx.court_profile.add_seal(*seal, admin.name, utc_now())
            return self._apply(tx, admin, expect_version, changes)

    @staticmethod
    def _apply(tx: Transaction, admin: User, expect_version: int | None, changes: dict[str, Any]) -> CourtProfile:
        unknown = set(changes) - {*_PROFILE_TEXT, "address", "seal"}
        if unknown:
            raise Refused(f"the court profile has no {', '.join(sorted(unknown))}")
        if "address" in changes:
            changes["address"] = tuple(str(line).strip() for line in changes["address"] if str(line).strip())
        for key in _PROFILE_TEXT:
            if key in changes:
                changes[key] = str(changes[key] or "").strip()
        before = tx.court_profile.get()
        after = replace(before, **changes)
        check_profile(after)
        if after.content() == before.content() and expect_version in (None, before.version):
            return before
        return tx.court_profile.set(after, before.version if expect_version is None else expect_version,
                                    admin.name, utc_now())

    def set_seal(self, png: bytes | None, expect_version: int | None = None) -> CourtProfile:
        """Make ``png`` the office's seal (None: the pack's neutral placeholder seal)."""
        if png is None:
            return self.update(expect_version, seal=None)
        return self.update(expect_version, seal_png=png)

    def seal(self, reference: str) -> bytes | None:
        return self.seals.get(reference)

    def new_letter_defaults(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(sender, signatory) of a new letter from the office's profile; None before one is set."""
        profile = self.get()
        if profile.version == 0:
            return None
        return profile.sender(), profile.signatory()
