"""Forms of address: inside address blocks, salutations and the joint salutation, by US protocol.

The words live in ``app.core.protocol`` (ranks, clergy, offices, chambers, post-nominals, each
table with its source); this module holds the rules that choose among them:

1. a salutation the clerk wrote is used as written (without "The Honorable", never in a salutation);
2. an elected, cabinet, judicial or diplomatic office the addressee holds now;
3. a military rank (over any military or appointed office: "Dear General Milley:");
4. a religious title ("Dear Bishop Soto:", "Dear Rabbi Stein:");
5. any other office the title names as the office, never a word inside a longer title
   (a press secretary is not "Secretary");
6. "Dr." for a doctorate, "Professor";
7. the courtesy title (Mr., Ms., Mrs., Mx.) before the surname;
8. the full name, a guess that preflight explains.

Every salutation comes with the rule that chose it and whether a rule had to guess
(``explain_salutation``), so preflight can tell the clerk what to fill in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from app.core import protocol as p
from app.core.countries import COUNTRIES
from app.core.errors import Problem
from app.core.names import read_surname
from app.core.protocol import DISTRIBUTION_THRESHOLD, SOURCES, normal

__all__ = [
    "DISTRIBUTION_THRESHOLD",
    "OFFICES",
    "SOURCES",
    "SUFFIXES",
    "Addressable",
    "Finding",
    "Salutation",
    "address_findings",
    "distribution_list",
    "explain_salutation",
    "group_address",
    "group_salutation_for",
    "guesses",
    "inside_address",
    "join_names",
    "joint_salutation",
    "letter_findings",
    "name_line",
    "office_of",
    "plural_office",
    "salutation_line",
    "salutation_name",
    "surname_of",
    "surname_used",
    "uses_distribution",
    "written_salutation",
]

OFFICES = p.OFFICES
# Words after a name that are not part of it; kept for callers that filter generated names.
SUFFIXES = frozenset(p.GENERATIONAL | p.ESQUIRE | p.DOCTORATES | p.OTHER_POST_NOMINALS | p.SERVICES)


class Addressable(Protocol):
    """What the forms of address need to know about an addressee.

    ``surname`` and ``given_name`` are optional on the objects passed in (read with getattr):
    they say what no rule can know, a two-word family name or a family name written first.
    """

    @property
    def honorific(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def organization(self) -> str | None: ...
    @property
    def address(self) -> Sequence[str]: ...
    @property
    def salutation(self) -> str | None: ...


@dataclass(frozen=True)
class Salutation:
    """One addressee's salutation, the rule that chose it and whether the rule had to guess."""

    line: str            # the whole line: "Dear General Milley:", "Excellency:"
    name: str            # what follows "Dear" ("General Milley"); for a line without "Dear", the line
    joinable: str        # the form used in a joint salutation after "Dear"
    rule: str
    source: str
    surname: str = ""
    guessed: bool = False
    reason: str = ""     # what the clerk can fill in so that no guess is needed
    # "settled": a rule decided it; "reading": one of two readings of the name or title was taken
    # (the clerk is asked to confirm); "guess": nothing decided it (the clerk must fill something in).
    confidence: str = "settled"
    gender: str | None = None   # "m", "f" or None, from the courtesy title: what a Spanish salutation agrees with

    @property
    def takes_dear(self) -> bool:
        return self.line.startswith("Dear ")


@dataclass(frozen=True)
class Finding:
    """A name-line or salutation check: the problem, the field it is about, and the fix offered.

    ``value`` is what to put in the field at ``path`` when one fix fits; None when the clerk must
    choose or fill something in.
    """

    path: str
    problem: str
    fix: str
    value: str | None = None
    kind: str = "name_line"    # "name_line", "salutation" or "guess"

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} {self.fix}"

    def as_problem(self) -> Problem:
        """The finding as a preflight entry that links to its field."""
        return Problem(self.path, f"{self.problem} {self.fix}")


# --- words ------------------------------------------------------------------------------------

_TITLE_TOKENS = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|,")
_PAREN = re.compile(r"\(([^)]*)\)")
_PREFIX_KEYS: dict[str, tuple[str, str]] = {}
for _key in p.HONORABLE:
    _PREFIX_KEYS[_key] = ("honorable", _key)
for _key in p.COURTESY:
    _PREFIX_KEYS[_key] = ("courtesy", _key)
for _key in p.DOCTOR:
    _PREFIX_KEYS[_key] = ("doctor", _key)
for _key in p.PROFESSOR:
    _PREFIX_KEYS[_key] = ("professor", _key)
for _key in p.EXCELLENCY:
    _PREFIX_KEYS[_key] = ("excellency", _key)
for _key in p.ROYAL:
    _PREFIX_KEYS[_key] = ("royal", _key)
for _key in p.CLERGY:
    # "Sr." is Señor before a name; a religious sister is found by her title or order (see _person).
    _PREFIX_KEYS.setdefault(_key, ("clergy", _key))
for _key in p.RANKS:
    _PREFIX_KEYS.setdefault(_key, ("rank", _key))
# Indexed by first word, longest first, because every word of every name is looked up.
_PREFIX_INDEX: dict[str, list[tuple[list[str], tuple[str, str]]]] = {}
for _words, _value in sorted(((key.split(), value) for key, value in _PREFIX_KEYS.items()),
                             key=lambda kv: -len(kv[0])):
    _PREFIX_INDEX.setdefault(_words[0], []).append((_words, _value))
_NOT_IN_NAMES = p.CLERGY_NOT_IN_NAMES | p.RANK_WORDS_NOT_IN_NAMES | {"madam", "madame", "miss", "mister",
                                                                      "doctor", "professor", "excellency"}
_OFFICE_TABLE = sorted(((key.split(), office) for key, office in p.OFFICES.items()),
                       key=lambda kv: (-len(kv[0]), -len(" ".join(kv[0]))))
_OFFICE_INDEX: dict[str, list[tuple[list[str], p.Office]]] = {}
for _words, _office in _OFFICE_TABLE:
    _OFFICE_INDEX.setdefault(_words[0], []).append((_words, _office))
_CLERGY_OFFICE_TABLE = sorted(((key.split(), form) for key, form in p.CLERGY_OFFICES.items()),
                              key=lambda kv: -len(kv[0]))
# Church offices, highest first: a cardinal who is an archbishop is "Cardinal"; any of these named in
# the title wins over a generic "The Reverend".
_CHURCH_ORDER = ("Your Holiness", "Patriarch", "Metropolitan", "Cardinal", "Archbishop", "Bishop", "Monsignor",
                 "Father")


def _prefixes(words: list[str], *, from_name: bool, clergy_context: bool = False) -> tuple[list[tuple[str, str]], int]:
    """Known titles at the front of ``words``: [(kind, key)] and how many words they took.

    From a name, a word that is also a given name or surname ("Major", "Bishop") is not taken,
    and at least two words are always left for the name itself; after a religious honorific ("His
    Eminence Archbishop Elpidophoros") a church title is taken and one word may be left, since
    bishops of many churches use their religious name alone.
    """
    tokens = [normal(w) for w in words]
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        for key, (kind, canonical) in _PREFIX_INDEX.get(tokens[i], ()):
            if tokens[i:i + len(key)] == key:
                if kind == "courtesy" and canonical == "sra" and words[i].rstrip(".") == "SrA":
                    # The Air Force's Senior Airman is written "SrA"; the Spanish "Sra." is a courtesy.
                    kind, canonical = "rank", "sra"
                church = clergy_context and kind == "clergy"
                # "The Honorable" is never part of a name; other titles might be ("Major Smith").
                if from_name and kind != "honorable" and not church and (
                        canonical in _NOT_IN_NAMES or len(words) - i - len(key) < 2):
                    continue
                if from_name and church and len(words) - i - len(key) < 1:
                    continue
                found.append((kind, canonical))
                i += len(key)
                break
        else:
            break
    return found, i


@dataclass
class _Person:
    prefixes: list[tuple[str, str]]
    words: list[str]              # the name without titles before it and letters after it
    post: list[str]               # post-nominals, normalised ("phd", "esq", "jr")
    surname: str
    surname_reason: str = ""      # set when the surname is a guess
    honorific_prefixes: list[tuple[str, str]] = field(default_factory=list)
    office_named: bool = False    # the name field holds an office ("The President")
    name_office: str = ""         # an office typed before the name ("Senator Dianne Feinstein")

    def has(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.prefixes)

    def keys(self, kind: str) -> list[str]:
        return [key for k, key in self.prefixes if k == kind]

    @property
    def address_form(self) -> str | None:
        """"Mr." or "Madam" (for "Mr. President", "Madam Speaker"), when the honorific says."""
        for kind, key in self.prefixes:
            if kind == "courtesy":
                return p.COURTESY[key].address
            if kind == "excellency":
                return p.EXCELLENCY[key]
        return None

    @property
    def courtesy(self) -> str | None:
        """The courtesy title as an English salutation prints it ("Sra." -> "Ms.")."""
        keys = self.keys("courtesy")
        return p.COURTESY[keys[0]].english if keys else None

    @property
    def courtesy_written(self) -> str | None:
        keys = self.keys("courtesy")
        return p.COURTESY[keys[0]].form if keys else None

    @property
    def gender(self) -> str | None:
        keys = self.keys("courtesy")
        return p.COURTESY[keys[0]].gender if keys else None

    @property
    def doctorate(self) -> bool:
        return any(token in p.DOCTORATES for token in self.post)


def _is_post_nominal(word: str, after_comma: bool) -> bool:
    token = normal(word).replace(" ", "")
    if token in p.GENERATIONAL or token in p.ESQUIRE or token in p.SERVICES:
        return True
    if token in p.DOCTORATES or token in p.OTHER_POST_NOMINALS:
        # "Yo-Yo Ma" and "Jack Ma" are names; "MA", "M.A." and ", Ma" are degrees.
        return after_comma or "." in word or not re.fullmatch(r"[A-Z][a-z]+", word)
    return False


def _person(addressee: Addressable) -> _Person:
    return _person_cached(addressee.honorific or "", addressee.name or "",
                          getattr(addressee, "surname", None) or "", getattr(addressee, "courtesy", None) or "",
                          getattr(addressee, "given_name", None) or "")


def _name_paren(match: re.Match[str]) -> str:
    # "(Ret.)" and "(USA, Ret.)" are letters after the name; "Chaplain (Major)" names a rank the
    # chaplain is not addressed by: left out.
    inner = match.group(1)
    return "," + inner if any(normal(w) in p.SERVICES for w in inner.replace(",", " ").split()) else " "


def _office_named(words: list[str]) -> bool:
    """A name field that holds an office instead of a name: "The President", "The Chief Justice"."""
    text = normal(" ".join(words))
    text = text.removeprefix("the ")
    return text in p.OFFICES or text in p.CLERGY_OFFICES


@functools.lru_cache(maxsize=1024)
def _person_cached(honorific: str, name: str, explicit_surname: str, courtesy: str, given_name: str = "") -> _Person:
    """The parsed name; cached, so callers must not change what it returns."""
    honorific_words = _PAREN.sub(" ", honorific).split()
    honorific_prefixes, _ = _prefixes(honorific_words, from_name=False)
    # "The Honorable" in the address and "Madam Speaker" in the salutation: the courtesy title
    # the salutation needs has a field of its own.
    courtesy_key = normal(courtesy)
    courtesy_prefixes = [("courtesy", courtesy_key)] if courtesy_key in p.COURTESY else []
    text = _PAREN.sub(_name_paren, name)
    main, *rest = text.split(",")
    words = main.split()
    if _office_named(words):
        return _Person(honorific_prefixes + courtesy_prefixes, [], [], "", "", honorific_prefixes, True)
    # "Chaplain (Major) John Roe": the parenthesis shows "Chaplain" is a title, not a given name.
    church = any(kind in ("clergy", "excellency") for kind, _ in honorific_prefixes) \
        or re.match(r"^\s*chaplain\s*\(", name, flags=re.IGNORECASE) is not None
    name_prefixes, taken = _prefixes(words, from_name=True, clergy_context=church)
    # "Honorable" is never a name, wherever it was typed ("Hon" may be one: a Chinese surname).
    words = [w for w in words[taken:] if normal(w) not in {"honorable", "honourable"}]
    name_office = _office_before_name(words)
    if name_office:
        words = words[len(name_office.split()):]
    if len(words) > 2 and normal(words[-2]) == "cardinal":
        # A cardinal's title stands between given name and surname: "Blase Cardinal Cupich".
        name_prefixes.append(("clergy", "cardinal"))
        del words[-2]
    post: list[str] = []
    while len(words) > 1 and _is_post_nominal(words[-1], after_comma=False):
        post.insert(0, normal(words.pop()).replace(" ", ""))
    for part in rest:
        for word in part.split():
            if _is_post_nominal(word, after_comma=True):
                post.append(normal(word).replace(" ", ""))
    surname, reason = _surname(words, explicit_surname, given_name)
    return _Person(honorific_prefixes + name_prefixes + courtesy_prefixes, words, post, surname, reason,
                   honorific_prefixes, name_office=name_office)


def _office_before_name(words: list[str]) -> str:
    """An office typed at the front of the name ("Senator Dianne Feinstein", "Attorney General Jeff
    Sessions"): the key of the office, when at least two words of name follow it."""
    for n in (3, 2, 1):
        key = normal(" ".join(words[:n]))
        office = p.OFFICES.get(key)
        if len(words) - n >= 2 and office is not None and office.civil and office.form and not office.strict:
            return key
    return ""


def _surname(words: list[str], explicit: str | None, given_name: str = "") -> tuple[str, str]:
    given = [w for w in (explicit or "").split() if normal(w) not in {"honorable", "honourable"}]
    if given:
        return " ".join(given), ""
    # The given name typed last says the name is written family name first ("Tanaka Hiroshi").
    first = given_name.split()
    if first and len(words) > len(first) and [normal(w) for w in words[-len(first):]] == [normal(w) for w in first]:
        return " ".join(words[:-len(first)]), ""
    reading = read_surname(tuple(words))
    return reading.surname, reading.reason


def surname_of(name: str) -> str:
    """The family name in a full name: the last word once titles and post-nominals are dropped.

    Particles stay with it ("Kevin de León" -> "de León", "Oliver St. John" -> "St. John"),
    never the first word ("Van Jones" -> "Jones"); "Ortega y Gasset" keeps both names.
    """

    @dataclass
    class _Name:
        name: str
        honorific: str | None = None

    return _person(_Name(name)).surname  # type: ignore[arg-type]


def surname_used(addressee: Addressable) -> str:
    """The family name the salutation uses, for "Salutation uses: Cortez Masto" in the editor."""
    return _person(addressee).surname


# --- the title --------------------------------------------------------------------------------

@dataclass
class _Title:
    office: p.Office | None = None
    form: str = ""                 # the office as used after "Dear", qualifiers included
    tokens: list[str] = field(default_factory=list)
    former: bool = False
    retired: bool = False
    elect: bool = False
    designate: bool = False        # named but not yet confirmed: not addressed by the office (Hickey)
    pro_tem: bool = False
    rank: p.Rank | None = None     # "General, U.S. Army"
    clergy: str | None = None      # "Archbishop of Los Angeles"


def _tokens(title: str) -> tuple[list[str], bool]:
    retired = False
    for inner in _PAREN.findall(title):
        if normal(inner) in {"ret", "retired"}:
            retired = True
    # "Chaplain (Major)": what stands in parentheses qualifies the title, it does not name the office;
    # "Sheriff/Coroner" joins two offices as "Sheriff-Coroner" does.
    raw: list[str] = []
    for token in _TITLE_TOKENS.findall(normal(re.sub(r"\s*/\s*", "-", _PAREN.sub(" ", title)))):
        # "Secretary-designate": the office, and that its holder is not yet confirmed.
        raw.extend([token.removesuffix("-designate"), "designate"] if token.endswith("-designate") else [token])
    tokens: list[str] = []
    skipping = False
    for token in raw:
        if tokens and (tokens[-1], token) in p.ABBREVIATIONS_AFTER:
            tokens.append(p.ABBREVIATIONS_AFTER[(tokens[-1], token)])
        elif token in p.TITLE_ABBREVIATIONS:
            tokens.extend(p.TITLE_ABBREVIATIONS[token].split())
        elif "-" in token and token not in p.OFFICES and not token.endswith("-elect"):
            parts = _compound(token)
            tokens.extend(parts)
            # "Treasurer-Tax Collector": the first office names it; the rest of the name goes with it.
            skipping = len(parts) == 1 and parts[0] != token
            continue
        elif skipping and token not in p.SEPARATORS:
            continue
        else:
            tokens.append(token)
        skipping = False
    return tokens, retired


def _compound(token: str) -> list[str]:
    """A hyphenated title: "vice-president" is "vice president"; "sheriff-coroner", an office that
    joins two, is addressed by the first office it names (Hickey: the Sheriff-Coroner as Sheriff)."""
    parts = token.split("-")
    if " ".join(parts) in p.OFFICES:
        return parts
    for part in parts:
        if part in p.OFFICES:
            return [part]
    return [token]


def _read_title(title: str | None) -> _Title:
    return _read_title_cached(title or "")


@functools.lru_cache(maxsize=1024)
def _read_title_cached(title: str) -> _Title:
    if not title or not title.strip():
        return _Title()
    tokens, retired = _tokens(title)
    out = _Title(tokens=tokens, retired=retired)
    kept: list[str] = []
    for i, token in enumerate(tokens):
        if token == "former":
            out.former = True
        elif token in {"ret", "retired"}:
            out.retired = True
        elif token == "elect" and kept:
            out.elect = True
        elif token == "designate" and kept:
            out.designate = True
        elif token.endswith("-elect"):
            out.elect = True
            kept.append(token.removesuffix("-elect"))
        elif token == "tem" and i > 0 and tokens[i - 1] == "pro":
            kept.append("tempore")
        else:
            kept.append(token)
    tokens = kept
    head = next((i for i, t in enumerate(tokens) if t in p.SEPARATORS), len(tokens))
    if "and" in tokens[:head]:
        # "Lieutenant Governor and President of the Senate": two offices, addressed by the first;
        # "President and Chief Executive Officer" joins an office to a post that is none.
        split = tokens.index("and")
        if _match_office(tokens, split) is not None and _match_office(tokens[split + 1:], head - split - 1):
            head = split
    naming = tokens[:head]
    # "Mayor pro Tem": a pro tem of an office that has no entry of its own.
    if len(naming) >= 2 and naming[-2:] == ["pro", "tempore"] \
            and not any(key == naming[-len(key):] for key, _ in _OFFICE_TABLE if len(key) <= len(naming)):
        out.pro_tem = True
        tokens = naming[:-2] + tokens[head:]
        head -= 2
    match = _match_office(tokens, head)
    if match is not None:
        start, office = match
        out.office = office
        out.form = _qualified(office, tokens[:start])
    elif naming == ["member"] and _chamber_form(tokens[head:]):
        # "Member of the New York State Assembly": a member of the chamber named.
        form = _chamber_form(tokens[head:])
        out.office = p.Office(form, "legislative", civil=True, many=True)
        out.form = form
    elif naming == ["member"] and _chamber_of(tokens[head:], ("general", "assembly")):
        # "Member, Illinois General Assembly": which house is not said, as in "Member of the General Assembly".
        out.office = p.OFFICES["member of the general assembly"]
        out.form = out.office.form
    elif naming == ["member"] and _member_body(tokens[head:]) is not None:
        # "Member, Board of Supervisors" -> Supervisor; "Member, Board of Education" -> Mr. or Ms.
        form = _member_body(tokens[head:]) or ""
        out.office = p.Office(form, "local" if form else "courtesy", civil=bool(form), many=True,
                              courtesy_only=not form)
        out.form = form
    elif naming == ["chief"] and any(t in p.TRIBAL_WORDS for t in tokens[head:]):
        out.office = p.OFFICES["tribal chief"]
        out.form = out.office.form
    if out.office is not None and out.office.form == "Minister" and (
            any(t in p.CHURCH_WORDS for t in tokens) or ("of" not in tokens[head:head + 1] + tokens[head + 1:]
            and not {"foreign", "prime", "federal", "cabinet"} & set(tokens))):
        # A minister of a church, not of a government.
        out.office, out.form, out.clergy = None, "", "Reverend"
    out.tokens = tokens
    rank_key = " ".join(tokens[:head])
    # A title that is a rank in full ("Lieutenant General"), or any rank with its service
    # ("Gen., U.S. Army"), names the rank; an office ("Commander, Pacific Fleet") is read above.
    if rank_key in p.RANKS and (normal(p.RANKS[rank_key].full) == rank_key
                                or any(t in p.SERVICE_WORDS for t in tokens[head:])):
        out.rank = p.RANKS[rank_key]
    for key, form in _CLERGY_OFFICE_TABLE:
        if head >= len(key) and tokens[head - len(key):head] == key:
            out.clergy = form
            break
    return out


def _match_office(tokens: list[str], head: int) -> tuple[int, p.Office] | None:
    """The office the title's naming words end with, and where it starts.

    The office must end the naming words (what comes before " of ", " for ", a comma...), and
    what stands before it must not make a different office of it.
    """
    found: list[tuple[int, int, p.Office]] = []
    for start in range(head):
        for key, office in _OFFICE_INDEX.get(tokens[start], ()):
            n = len(key)
            if tokens[start:start + n] != key or start + n < head:
                continue
            before = tokens[:start]
            if any(t in p.ROLE_WORDS for t in before):
                continue
            if office.strict and not all(t in p.QUALIFIERS or t in p.JURISDICTION_WORDS for t in before):
                continue
            found.append((n, start, office))
            break
    if not found:
        return None
    # The longest office wins: "Vice President" over "President", "Chief Justice" over "Justice".
    n, start, office = max(found, key=lambda item: (item[0], -item[1]))
    return start, office


def _qualified(office: p.Office, before: list[str]) -> str:
    if not office.keeps_qualifiers:
        return office.form
    words = [office.form]
    for token in reversed(before):
        if token not in p.QUALIFIERS:
            break
        # "Deputy Deputy Prime Minister" typed twice is one deputy.
        if not words[0].startswith(p.QUALIFIERS[token]):
            words.insert(0, p.QUALIFIERS[token])
    return " ".join(words)


def office_of(title: str | None) -> str | None:
    """The office named by a title, as it is used after "Dear", or None.

    Only the words before " of ", " for ", " to ", a comma... name the office, and the office
    must be those words' end: "Secretary of Homeland Security" -> "Secretary", "United States
    Senator" -> "Senator", but "Press Secretary" and "Executive Director" name no office a
    salutation uses. Qualifiers stay ("Deputy Mayor", "Acting Secretary", "Lt. Governor" ->
    "Lieutenant Governor"); a leader gets the form of a member of the chamber named.
    """
    read = _read_title(title)
    if read.office is None or read.office.courtesy_only:
        return None
    if read.office.usage == "member":
        return _chamber_form(read.tokens) or read.form
    return read.form


def _chamber_of(tokens: list[str], words: tuple[str, ...]) -> bool:
    n = len(words)
    return any(tuple(tokens[i:i + n]) == words for i in range(len(tokens)))


def _member_body(tokens: list[str]) -> str | None:
    for words, form in p.MEMBER_BODIES:
        n = len(words)
        if any(tokens[i:i + n] == list(words) for i in range(len(tokens))):
            return form
    return None


def _chamber_form(tokens: list[str]) -> str:
    for words, form in p.CHAMBERS:
        n = len(words)
        if any(tokens[i:i + n] == list(words) for i in range(len(tokens))):
            return form
    return ""


def _names_international_body(tokens: list[str]) -> bool:
    return any(any(tokens[i:i + len(body)] == list(body) for i in range(len(tokens)))
               for body in p.INTERNATIONAL_BODIES)


def _of_a_country(tokens: list[str]) -> bool:
    """"President of Mexico", "President of the French Republic": the office of another country."""
    if any(t in p.HEAD_OF_STATE_WORDS for t in tokens):
        return True
    if "of" not in tokens:
        return False
    after = tokens[tokens.index("of") + 1:]
    if after[:1] == ["the"]:
        after = after[1:]
    return any(" ".join(after[:n]) in COUNTRIES for n in range(1, min(len(after), 5) + 1))


def _foreign_post(tokens: list[str]) -> bool:
    """"Ambassador of France", "Ambassador of X to the United States": a foreign envoy."""
    if "of" not in tokens:
        return False
    after = tokens[tokens.index("of") + 1:]
    if "to" in after:
        after = after[:after.index("to")]
    country = [t for t in after if t != "the"]
    return bool(country) and country[:2] not in (["united", "states"], ["us"], ["u", "s"], ["usa"])


# --- the salutation ---------------------------------------------------------------------------

# Salutations that take no "Dear": "Your Excellency", "Excellency", "Sir", "Ladies and Gentlemen".
_NO_DEAR = re.compile(r"^(your\b|excellenc|(sir|sirs|madam|mesdames|gentlemen)$|ladies and gentlemen|"
                      r"to whom\b|my dear\b|dear\b)", re.IGNORECASE)
_HONORABLE_IN_TEXT = re.compile(r"\b(the\s+)?hon(ou?rable\b|\.(?=\s|$))", re.IGNORECASE)


def _strip_honorable(text: str) -> str:
    return re.sub(r"^(the\s+)?hon(ou?rable\b|\.)\s*", "", text.strip(), flags=re.IGNORECASE).strip()


def _override(text: str | None) -> tuple[str, str] | None:
    """A salutation typed by the clerk: (whole line, the words after "Dear"), or None if empty.

    Written with its closing colon or comma it is the whole line, used as written ("Your
    Excellency:", "Dear Ms. Rivera:"); without one it is read as older letters wrote it, the
    words after "Dear" ("Ms. Rivera" -> "Dear Ms. Rivera:"), unless it is a form that takes no
    "Dear" ("Your Excellency" -> "Your Excellency:"). "The Honorable" never stays.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    closing = raw[-1] if raw[-1] in ":," else ""
    body = raw.rstrip(":,;").strip()
    dear = re.match(r"^(my\s+)?dear\s+", body, flags=re.IGNORECASE)
    words = _strip_honorable(body[dear.end():] if dear else body)
    words = " ".join(_HONORABLE_IN_TEXT.sub(" ", words).split())
    if not words or words.lower() in {"dear", "the honorable", "honorable"}:
        return None
    if dear:
        return f"{body[:dear.end()]}{words}{closing or ':'}", words
    if closing or _NO_DEAR.match(words):
        return f"{words}{closing or ':'}", words
    return f"Dear {words}:", words


def written_salutation(text: str | None) -> str | None:
    """A salutation the clerk typed, as the letter prints it; None when nothing was typed."""
    written = _override(text)
    return written[0] if written is not None else None


def _by_name(form: str, person: _Person) -> str:
    return f"{form} {person.surname}" if person.surname else form


def _result(name: str, rule: str, table: str, person: _Person, *, dear: bool = True, joinable: str = "",
            guessed: bool = False, reason: str = "") -> Salutation:
    confidence = "guess" if guessed else "settled"
    if person.surname_reason and person.surname and person.surname in name and not guessed:
        guessed, reason, confidence = True, person.surname_reason, "reading"
    line = f"Dear {name}:" if dear else (name if name.endswith(":") else f"{name}:")
    shown = name if dear else line.rstrip(":")
    return Salutation(line, shown, joinable or shown, rule, SOURCES[table], person.surname, guessed, reason,
                      confidence, person.gender)


def _ask(person: _Person, rule: str, table: str, reason: str) -> Salutation:
    """Nothing decides the salutation: never the full name, but the courtesy-free form that is
    always correct, and a finding that asks for what is missing."""
    return _result("Sir or Madam", rule, table, person, guessed=True, reason=reason)


_ASK_COURTESY = ("give the courtesy title (Mr., Ms., Mrs., Mx., Dr.) so the salutation can be the courtesy "
                 "title and the surname")


def _us_unique(office: p.Office, title: _Title, person: _Person) -> bool:
    """A one-of-a-kind office of the United States: named with its jurisdiction, or typed as the
    name itself ("The President") with no other jurisdiction."""
    if office.form not in p.UNIQUE_OFFICES:
        return False
    joined = " ".join(title.tokens)
    if any(f" {j}" in f" {joined}" for j in p.UNIQUE_OFFICES[office.form]):
        return True
    return person.office_named and "of" not in title.tokens


def _religious_sister(person: _Person, title: _Title, addressee: Addressable) -> bool:
    if "sr" not in person.keys("courtesy"):
        return False
    context = set(title.tokens) | set(normal(addressee.organization or "").split())
    return bool(context & p.RELIGIOUS_CONTEXT)


class _Fields(NamedTuple):
    """What the forms of address read of an addressee, as a key: every field of ``Addressee``."""

    honorific: str | None
    name: str
    title: str | None
    organization: str | None
    address: tuple[str, ...]
    salutation: str | None
    surname: str | None
    given_name: str | None
    courtesy: str | None


def explain_salutation(addressee: Addressable) -> Salutation:
    """The salutation for one addressee, with the rule that chose it and its source.

    Worked out once for each addressee's fields: a letter asks for it four times over (its file
    name, the salutation, the salutation line, the letter's opening), and a merge or a key typed
    in a long letter asks for every addressee again (35 us each on this project's machine).
    """
    return _explained(_Fields(addressee.honorific, addressee.name, addressee.title, addressee.organization,
                              tuple(addressee.address), addressee.salutation, getattr(addressee, "surname", None),
                              getattr(addressee, "given_name", None), getattr(addressee, "courtesy", None)))


@functools.lru_cache(maxsize=2048)
def _explained(addressee: _Fields) -> Salutation:
    """``explain_salutation`` of the fields; cached, so callers must not change what it returns."""
    person = _person(addressee)
    written = _override(addressee.salutation)
    if written is not None:
        line, words = written
        return Salutation(line, words if line.lower().startswith(("dear ", "my dear ")) else line.rstrip(":,"),
                          words, "the salutation written for this addressee", SOURCES["written"],
                          person.surname, gender=person.gender)
    title_text = addressee.title
    if person.office_named and _read_title(title_text).office is None:
        # The office typed as the name ("The Chief Justice", "The President" / "The White House"):
        # the name is the office, and a title beside it can only say where.
        title_text = f"{addressee.name}, {title_text}" if (title_text or "").strip() else addressee.name
    title = _read_title(title_text)
    office = title.office
    held = office is not None and not title.designate
    if office is not None and (title.former or title.retired):
        kept = office.many or (office.form in p.KEPT_WHEN_FORMER and (_us_unique(office, title, person)
                                                                      or "of" not in title.tokens))
        if title.retired and not title.former and office.form in p.KEPT_WHEN_RETIRED:
            kept = True
        held = kept
    if not held:
        # An office typed as the honorific ("Judge") or before the name ("Senator Dianne Feinstein") is
        # the clerk's choice of title: it is used.
        typed = _honorific_office(addressee.honorific) or (p.OFFICES[person.name_office]
                                                           if person.name_office else None)
        if typed is not None:
            office, held, title = typed, True, _Title(office=typed, form=typed.form)

    for kind, key in person.prefixes:
        clergy = p.CLERGY.get(key) if kind == "clergy" else None
        if clergy is not None and clergy.line:
            return _result(clergy.line, "a form of address the holder alone has", "clergy", person, dear=False,
                           joinable=_strip_honorable(addressee.name))

    couple = p.COUPLES.get(normal(addressee.honorific or ""))
    if couple is not None and person.surname:
        return _result(_by_name(couple, person), "two people greeted together by their courtesy titles",
                       "courtesy", person)

    for key in person.keys("royal"):
        return _result(p.ROYAL[key], "a royal style is the salutation", "foreign", person, dear=False,
                       joinable=p.ROYAL[key].rstrip(":"))

    if _religious_sister(person, title, addressee):
        given = getattr(addressee, "given_name", None)
        whole = f"{given.strip()} {person.surname}" if given and given.strip() else " ".join(person.words)
        return _result(f"Sister {whole}", "'Sr.' before a religious sister's name is 'Sister'", "clergy", person)

    # A military chaplain is addressed as Chaplain whatever the rank. Hickey, 'Chaplain in the Armed Services'.
    if "chaplain" in person.keys("clergy") or title.clergy == "Chaplain":
        return _result(_by_name("Chaplain", person), "a chaplain is addressed as Chaplain, whatever the rank",
                       "clergy", person)

    if office is not None and held and office.civil:
        return _civil_office(office, title, person)

    rank = _rank(person, title)
    if rank is not None:
        # A command ("Commander, Third Fleet") reads like a rank but is an office its holder's rank beats.
        over = office is not None or (title.rank is not None and title.rank is not rank)
        rule = ("a military rank wins over a military or appointed office"
                if over else "a military officer or enlisted member is addressed by rank")
        return _result(_by_name(rank.salutation, person), rule, "rank_over_office" if over else "ranks", person)

    church = _clergy(person, title, addressee)
    if church is not None:
        return church

    if office is not None and held and not office.courtesy_only:
        if office.military:
            return _result(_by_name(title.form, person), "the office of a military officer, rank not given",
                           "rank_over_office", person, guessed=True,
                           reason="this office is held by an officer, addressed by rank: put the rank "
                                  "(e.g. General, Admiral) in the honorific")
        return _result(_by_name(_modified(title.form, title), person), "the office and the surname",
                       office.table, person)

    if person.has("excellency"):
        return _result("Excellency", "a foreign head of mission or state with no office named", "diplomatic",
                       person, dear=False, joinable=_by_name("Ambassador", person))
    return _private(person, office, held, designate=title.designate)


def _private(person: _Person, office: p.Office | None, held: bool, *, designate: bool = False) -> Salutation:
    """No office the salutation uses: Dr., Professor, the courtesy title and surname, else ask."""
    if office is not None and held:
        former, table = "the office is not used in the salutation; ", office.table
    elif office is not None and designate:
        former, table = "a nominee is not addressed by the office before taking it; ", "modifiers"
    elif office is not None:
        former, table = "a former official is not addressed by the office; ", "modifiers"
    else:
        former, table = "", "courtesy"
    if person.has("doctor") or person.doctorate:
        return _result(_by_name("Dr.", person), former + "a doctorate gives Dr.", "academic" if not former
                       else table, person)
    if person.has("professor"):
        return _result(_by_name("Professor", person), former + "the academic title", "academic", person)
    courtesy = person.courtesy
    if courtesy and person.surname:
        # A mononym keeps its courtesy title: "Dear Ms. Cher:".
        return _result(_by_name(courtesy, person), former + "the courtesy title and the surname", table, person)
    if not person.surname:
        return _ask(person, former + "no name to address", table,
                    "write the addressee's name, or a salutation for this addressee")
    return _ask(person, former + "no office, rank or courtesy title is known (never the full name)", table,
                _ASK_COURTESY)


def _honorific_office(honorific: str | None) -> p.Office | None:
    """An office typed as the honorific ("Judge", "Senator", "Mayor"): the salutation uses it."""
    key = normal(_PAREN.sub(" ", honorific or ""))
    office = p.OFFICES.get(key)
    return office if office is not None and office.civil and office.form else None


def _modified(form: str, title: _Title) -> str:
    if title.elect:
        form += "-elect"
    # A judge pro tem is "Judge" (judicial forms keep no qualifiers); a mayor pro tem keeps it.
    if title.pro_tem and (title.office is None or title.office.keeps_qualifiers):
        form += " Pro Tem"
    return form


def _rank(person: _Person, title: _Title) -> p.Rank | None:
    for key in person.keys("rank"):
        return p.RANKS[key]
    return title.rank


def _civil_office(office: p.Office, title: _Title, person: _Person) -> Salutation:
    form = _modified(title.form, title)
    tokens = title.tokens
    gender = person.address_form
    us_unique = _us_unique(office, title, person)
    if title.former or (title.retired and office.form not in p.KEPT_WHEN_RETIRED):
        if office.form == "President":
            return _result(_by_name(form, person), "a former President keeps the title", "modifiers", person)
        if office.usage == "member" and _chamber_form(tokens):
            form = _chamber_form(tokens)
        return _result(_by_name(form, person), "a former holder of an office many hold at a time keeps its title",
                       "former", person)
    if office.courtesy_only:
        return _private(person, office, True)
    if office.form == "President" and form == office.form and _of_a_country(tokens):
        if gender:
            return _result(f"{gender} President", "a foreign head of state", "diplomatic", person)
        return _result("Excellency", "a foreign head of state", "diplomatic", person, dear=False,
                       joinable=_by_name("President", person))
    if us_unique and title.elect:
        return _result(_by_name(form, person), "an office-holder elect by name", "unique_offices", person)
    if us_unique and form == office.form:
        if office.form == "Chief Justice":
            return _result("Chief Justice", "a one-of-a-kind office is addressed by the office alone",
                           "unique_offices", person, joinable="Chief Justice")
        if gender:
            return _result(f"{gender} {form}", "a one-of-a-kind office is addressed by the office alone",
                           "unique_offices", person)
        if office.form == "President" or not person.surname:
            # Never the name (Hickey); every holder so far was "Mr. President", but say it is a guess.
            return _result(f"Mr. {form}", "a one-of-a-kind office is addressed by the office alone",
                           "unique_offices", person, guessed=True,
                           reason=f"the courtesy title is not known, so 'Mr. {form}' was taken; for 'Dear "
                                  f"Madam {form}:' fill in Ms. as the courtesy")
        return _result(_by_name(form, person), "a one-of-a-kind office, by name", "unique_offices", person,
                       guessed=True, reason=f"'Dear Mr. {form}:' or 'Dear Madam {form}:' needs the courtesy "
                                            f"title: fill in Mr. or Ms. as the courtesy")
    if office.unique_form and form == office.form and gender:
        return _result(f"{gender} {form}", "the office alone, with Mr. or Madam", office.table, person)
    if office.form == "President" and form == office.form and _chamber_form(tokens) == "Senator":
        # The President of a state senate presides as the Speaker does.
        if gender:
            return _result(f"{gender} President", "the presiding officer is addressed by the office",
                           "legislative", person)
        return _result(_by_name("President", person), "the presiding officer by the office and the surname",
                       "legislative", person)
    if office.usage == "unique" and gender and form == office.form:
        return _result(f"{gender} {form}", "a one-of-a-kind office (a presiding officer, the Secretary-General) "
                       "is addressed by the office alone", "unique_offices", person)
    if office.usage == "member":
        chamber = _chamber_form(tokens)
        if chamber:
            return _result(_by_name(chamber, person), "a leader is addressed as a member of the chamber",
                           "legislative", person)
        if office.form == "Member":
            # A ranking member of a committee whose chamber is not named: Senator or Representative?
            courtesy = person.courtesy or ("Dr." if person.has("doctor") or person.doctorate else None)
            reason = "name the chamber in the title (e.g. 'Ranking Member, Committee on the Judiciary, United " \
                     "States Senate')"
            if courtesy and person.surname:
                return _result(_by_name(courtesy, person), "a member of a chamber not named: the courtesy title",
                               "courtesy", person, guessed=True, reason=reason)
            return _ask(person, "a member of a chamber not named", "legislative", reason)
        guessed = office.form != "Leader"
        return _result(_by_name(form, person), "a leader of a chamber not named", "legislative", person,
                       guessed=guessed, reason="name the chamber in the title (Senate, House, Assembly)"
                       if guessed else "")
    if office.form == "Representative" and _names_international_body(tokens):
        return _result(_by_name("Ambassador", person), "a representative to an international body has the "
                       "rank of ambassador", "diplomatic", person)
    if office.usage in ("ambassador", "charge"):
        foreign = person.has("excellency") or _foreign_post(tokens)
        if office.usage == "charge":
            if gender:
                return _result(f"{gender} {form}", "a chargé d'affaires by the office", "diplomatic", person)
            return _result(_by_name(form, person), "a chargé d'affaires by the office and the surname",
                           "diplomatic", person)
        if foreign:
            if gender:
                return _result(f"{gender} Ambassador", "a foreign ambassador", "diplomatic", person,
                               joinable=f"{gender} Ambassador")
            return _result("Excellency", "a foreign ambassador", "diplomatic", person, dear=False,
                           joinable=_by_name("Ambassador", person))
        return _result(_by_name("Ambassador", person), "an American ambassador by the title and the surname",
                       "diplomatic", person)
    table = "academic" if any(t in p.ACADEMIC_BODIES for t in tokens) else office.table
    return _result(_by_name(form, person), "the office and the surname", table, person)


def _clergy(person: _Person, title: _Title, addressee: Addressable) -> Salutation | None:
    forms = [p.CLERGY[key] for key in person.keys("clergy")]
    if not forms and title.clergy is None:
        return None
    if title.clergy == "Your Holiness":
        return _result("Your Holiness", "the Pope", "clergy", person, dear=False,
                       joinable=_strip_honorable(addressee.name))
    form = next((c.salutation for c in forms if c.salutation in _CHURCH_ORDER), None) \
        or (forms[0].salutation if forms else None)
    if title.clergy and _outranks(title.clergy, form):
        form = title.clergy
    elif form == "Reverend":
        context = " ".join(title.tokens + normal(addressee.organization or "").split())
        if title.office is not None and title.office.form == "Dean" and "very" in normal(addressee.honorific or ""):
            form = "Dean"
        elif "catholic" in context or "priest" in context or "parish" in context:
            form = "Father"
        elif person.has("doctor") or person.doctorate:
            return _result(_by_name("Dr.", person), "a member of the clergy with a doctorate", "clergy", person)
    assert form is not None
    if form == "Eminence":
        # "His Eminence" alone: a cardinal, or an Orthodox archbishop or metropolitan (Hickey).
        context = " ".join([*title.tokens, normal(addressee.organization or ""), normal(addressee.honorific or "")])
        if "orthodox" in context:
            return _result("Your Eminence", "an Orthodox hierarch styled His Eminence, with no office named",
                           "clergy", person, dear=False, joinable=_by_name("Archbishop", person))
        return _result(_by_name("Cardinal", person), "His Eminence, with no office named, read as a cardinal",
                       "clergy", person, guessed=True,
                       reason="'His Eminence' is a cardinal or an Orthodox archbishop or metropolitan: put "
                              "the office in the title (e.g. 'Archbishop of New York', 'Greek Orthodox "
                              "Archbishop of America')")
    if forms and forms[0].whole_name and form == forms[0].salutation:
        given = getattr(addressee, "given_name", None)
        whole = f"{given.strip()} {person.surname}" if given and given.strip() else " ".join(person.words)
        return _result(f"{form} {whole}", "a religious sister or brother by the full name", "clergy", person)
    return _result(_by_name(form, person), "the religious title and the surname", "clergy", person)


def _outranks(office: str, form: str | None) -> bool:
    """Whether the church office in the title is used instead of the form the honorific gives."""
    if form is None:
        return True
    if office not in _CHURCH_ORDER:
        return False
    return form not in _CHURCH_ORDER or _CHURCH_ORDER.index(office) < _CHURCH_ORDER.index(form)


def salutation_name(addressee: Addressable) -> str:
    """The words after "Dear" for one addressee ("General Milley"); a line with no "Dear" whole."""
    return explain_salutation(addressee).name


def salutation_line(addressee: Addressable) -> str:
    """The whole salutation line for one addressee: "Dear General Milley:", "Excellency:"."""
    return explain_salutation(addressee).line


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B, and C" (the serial comma)."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def joint_salutation(addressees: Sequence[Addressable], group: str | None = None,
                     mixed_group: str = p.MIXED_GROUP_SALUTATION) -> str:
    """"Dear Attorney General Sessions and Secretary Kelly:", or the group salutation when given.

    One addressee gets that addressee's line as it is ("Excellency:"); several share one "Dear",
    each named by a form that can follow it. Above DISTRIBUTION_THRESHOLD addressees the letter
    greets them as a group (``group_salutation_for``) unless the clerk wrote one.
    """
    written = _override(group)
    if written is not None:
        return written[0]
    if uses_distribution(len(addressees)):
        return group_salutation_for(addressees, mixed_group)
    explained = [explain_salutation(a) for a in addressees]
    if len(explained) == 1:
        return explained[0].line
    if any(s.name == "Sir or Madam" for s in explained):
        # "Dear Senator Padilla and Sir or Madam:" is no salutation: greet them all until preflight's
        # question is answered.
        return mixed_group
    return f"Dear {join_names([s.joinable for s in explained])}:"


def group_salutation_for(addressees: Sequence[Addressable], mixed_group: str = p.MIXED_GROUP_SALUTATION) -> str:
    """The salutation for many addressees: the plural of their one office ("Dear Sheriffs:"), or,
    when their offices differ, the office's chosen style ("Ladies and Gentlemen:", "Dear Colleagues:").
    Chicago, 'Salutations to groups'; Hickey, 'Letters to several officials'."""
    forms = {_group_form(a) for a in addressees}
    if len(forms) == 1 and None not in forms:
        form = forms.pop()
        assert form is not None
        return f"Dear {plural_office(form)}:"
    return mixed_group


def _group_form(addressee: Addressable) -> str | None:
    explained = explain_salutation(addressee)
    if explained.guessed or explained.rule == "the salutation written for this addressee":
        return None
    title = _read_title(addressee.title)
    if title.office is None or title.former or title.office.courtesy_only:
        return None
    form = office_of(addressee.title)
    # A leader of a chamber is greeted as one of its members; "Chief Justice" stays itself.
    return form or None


_PLURAL_WORDS = {"man": "men", "woman": "women", "person": "persons", "justice": "justices",
                 "attorney": "attorneys", "inspector": "inspectors", "solicitor": "solicitors",
                 "secretary": "secretaries", "director": "directors", "chargé": "chargés"}


def plural_office(form: str) -> str:
    """"Sheriff" -> "Sheriffs", "Attorney General" -> "Attorneys General", "Chairman" -> "Chairmen",
    "Secretary-General" -> "Secretaries-General", "Chargé d'Affaires" -> "Chargés d'Affaires"."""
    words = form.split()
    # In "Attorney General" and "Chargé d'Affaires" the office is the word before the last.
    postpositive = len(words) > 1 and (words[-1] == "General" or words[-1].startswith("d'"))
    i = len(words) - 2 if postpositive else len(words) - 1
    head, sep, tail = words[i].partition("-") if "-General" in words[i] else (words[i], "", "")
    lower = head.lower()
    if lower in _PLURAL_WORDS:
        plural = _PLURAL_WORDS[lower]
    elif lower.endswith(("man", "woman")):
        plural = lower[:-3] + "men"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        plural = lower[:-1] + "ies"
    elif lower.endswith(("s", "sh", "ch", "x")):
        plural = lower + "es"
    else:
        plural = lower + "s"
    words[i] = head[:1] + plural[1:] + sep + tail
    return " ".join(words)


def uses_distribution(count: int) -> bool:
    """Above DISTRIBUTION_THRESHOLD addressees, a distribution list replaces the stacked addresses."""
    return count > DISTRIBUTION_THRESHOLD


def group_address(group: str | None) -> str:
    """The group named by a group salutation, for the inside address: "Members of the Judicial Council"."""
    written = _override(group)
    return written[1] if written is not None else ""


def distribution_list(addressees: Sequence[Addressable]) -> list[str]:
    """One line per addressee for the "Distribution" list: name line and title."""
    lines = []
    for addressee in addressees:
        title = " ".join((addressee.title or "").split())
        lines.append(f"{name_line(addressee)}, {title}" if title else name_line(addressee))
    return lines


# --- the name line and the inside address ----------------------------------------------------------

@dataclass
class _NameLine:
    line: str
    findings: list[Finding]


def _check_name_line(addressee: Addressable, path: str) -> _NameLine:
    honorific = " ".join((addressee.honorific or "").split())
    name = " ".join(addressee.name.split())
    findings: list[Finding] = []
    person = _person(addressee)
    if person.name_office:
        typed = name.split()
        n = len(person.name_office.split())
        at = next((i for i in range(len(typed)) if normal(" ".join(typed[i:i + n])) == person.name_office), None)
        if at is not None:
            office_words = " ".join(typed[at:at + n])
            findings.append(Finding(f"{path}.name", f"'{office_words}' is the office, not part of the name.",
                                    "Write the office in the title and the name alone here.",
                                    " ".join(typed[:at] + typed[at + n:])))
    h_norm = normal(honorific)
    if h_norm in {"honorable", "honourable"}:
        findings.append(Finding(f"{path}.honorific", f"'{honorific}' needs 'The' before it.",
                                "Write 'The Honorable'.", "The Honorable"))
        honorific = "The Honorable"
    if re.match(r"^hono(u)?rable\s", name, flags=re.IGNORECASE):
        fixed = re.sub(r"^hono(u)?rable\s+", "", name, flags=re.IGNORECASE)
        findings.append(Finding(f"{path}.name", f"'{name.split()[0]}' in the name needs 'The' before it.",
                                "Put 'The Honorable' in the honorific and the name alone in the name.", fixed))
        name = f"The Honorable {fixed}" if not honorific else fixed
    esq = any(t in p.ESQUIRE for t in person.post)
    if esq and person.courtesy:
        without = re.sub(r",?\s*esq(uire|\.)?\s*$", "", name, flags=re.IGNORECASE).strip()
        findings.append(Finding(f"{path}.name", f"'{person.courtesy_written}' and 'Esq.' say the same thing twice.",
                                f"Use one of them: '{person.courtesy_written} {without}' or '{without}, Esq.' "
                                f"(the address prints '{without}, Esq.').", without))
        if normal(honorific) in p.COURTESY:
            honorific = ""
    if esq and person.has("honorable"):
        without = re.sub(r",?\s*esq(uire|\.)?\s*$", "", name, flags=re.IGNORECASE).strip()
        findings.append(Finding(f"{path}.name", "'Esq.' is not used with 'The Honorable'.",
                                "Leave out 'Esq.'.", without))
        name = without
    if person.has("honorable") and person.has("doctor") and not person.doctorate:
        findings.append(Finding(f"{path}.honorific", "'The Honorable' is not combined with 'Dr.'.",
                                "Leave out 'Dr.' in the address; write 'The Honorable' and the name.",
                                "The Honorable"))
        honorific = re.sub(r"\s*\b(dr\.?|doctor)(?=\s|$)", "", honorific, flags=re.IGNORECASE).strip()
        name = re.sub(r"^(dr\.?|doctor)\s+", "", name, flags=re.IGNORECASE)
    if person.doctorate and person.has("doctor"):
        degree = next(t for t in person.post if t in p.DOCTORATES)
        findings.append(Finding(f"{path}.honorific", f"'Dr.' and the doctorate after the name ({degree.upper()}) "
                                f"say the same thing twice.", "Leave out 'Dr.' in the address; the "
                                "salutation still says 'Dr.'.", ""))
        if normal(honorific) in p.DOCTOR:
            honorific = ""
        else:
            name = re.sub(r"^(dr\.?|doctor)\s+", "", name, flags=re.IGNORECASE)
    if person.has("doctor") and "jd" in person.post and not person.doctorate:
        findings.append(Finding(f"{path}.honorific", "A J.D. is not addressed as 'Dr.'.",
                                "Use Mr., Ms. or Mx. instead.", None))
    courtesy_typed = [key for kind, key in person.honorific_prefixes if kind == "courtesy"]
    if courtesy_typed and _is_honorable_office(addressee.title) and len(person.honorific_prefixes) == 1:
        findings.append(Finding(f"{path}.honorific", f"A holder of this office is 'The Honorable' in the "
                                f"address, not '{honorific}'.", f"Write 'The Honorable' here and "
                                f"'{p.COURTESY[courtesy_typed[0]].form}' as the courtesy title, which the "
                                f"salutation uses.", "The Honorable"))
    for kind, key in person.honorific_prefixes:
        if kind == "rank":
            full = p.RANKS[key].full
            if normal(full) != key:
                findings.append(Finding(f"{path}.honorific", f"The rank '{honorific}' is abbreviated.",
                                        f"Write the rank in full in the address: '{full}'.", full))
    line = f"{honorific} {name}" if honorific else name
    return _NameLine(line, findings)


def _is_honorable_office(title: str | None) -> bool:
    """An office held now whose holder is "The Honorable" (Hickey): elected, cabinet, judicial, an
    American ambassador; not the President and Vice President ("The President"), not a chargé."""
    read = _read_title(title)
    office = read.office
    if office is None or not office.civil or read.former or office.usage == "charge":
        return False
    if office.usage == "ambassador" and _foreign_post(read.tokens):
        return False
    if _of_a_country(read.tokens) or office.table in ("foreign", "international") \
            or office.courtesy_only:
        return False
    return office.form not in ("President", "Vice President", "Secretary-General")


def name_line(addressee: Addressable) -> str:
    """"The Honorable Jeff Sessions"; with no honorific, just the name.

    Printed right even when typed wrong: "Honorable" gets its "The"; "Ms." is not doubled with
    "Esq." nor "Dr." with a doctorate after the name. ``address_findings`` tells the clerk.
    """
    return _check_name_line(addressee, "").line


def inside_address(addressee: Addressable) -> list[str]:
    """One addressee's block: name line, title, organization, address lines; blanks left out."""
    lines = [name_line(addressee)]
    for part in (addressee.title, addressee.organization, *addressee.address):
        if part and part.strip():
            lines.extend(line.strip() for line in part.split("\n") if line.strip())
    return lines


class _HasAddressees(Protocol):
    @property
    def addressees(self) -> Sequence[Addressable]: ...
    @property
    def group_salutation(self) -> str | None: ...


def letter_findings(letter: _HasAddressees) -> list[Finding]:
    """``address_findings`` for a whole letter: what preflight shows (advice; it never stops export)."""
    return address_findings(letter.addressees, letter.group_salutation)


def address_findings(addressees: Sequence[Addressable], group_salutation: str | None = None,
                     path: str = "addressees") -> list[Finding]:
    """Every name-line problem and every salutation a rule had to guess, with the fix offered."""
    findings: list[Finding] = []
    for i, addressee in enumerate(addressees):
        where = f"{path}[{i}]"
        findings.extend(_check_name_line(addressee, where).findings)
        typed = (addressee.salutation or "").strip()
        if typed and re.search(r"hono(u)?rable|\bhon\.", typed, flags=re.IGNORECASE):
            written = _override(typed)
            findings.append(Finding(f"{where}.salutation", "'The Honorable' is never used in a salutation.",
                                    "It is left out.", written[0] if written else None, kind="salutation"))
        comma = _comma_advice(typed, f"{where}.salutation")
        if comma is not None:
            findings.append(comma)
        if typed and re.match(r"^dear\s+your\b", typed, flags=re.IGNORECASE):
            findings.append(Finding(f"{where}.salutation", "'Your ...' forms take no 'Dear'.",
                                    "Leave out 'Dear'.", re.sub(r"^dear\s+", "", typed, flags=re.IGNORECASE),
                                    kind="salutation"))
        surname = getattr(addressee, "surname", None)
        if surname and surname.strip() and normal(surname) not in normal(addressee.name):
            findings.append(Finding(f"{where}.surname", f"The surname '{surname}' is not part of the name "
                                    f"'{addressee.name}'.", "Check the spelling of the surname.", None,
                                    kind="salutation"))
        explained = explain_salutation(addressee)
        if explained.guessed:
            said = "takes one of two readings" if explained.confidence == "reading" else "is a guess"
            findings.append(Finding(f"{where}.salutation", f"'{explained.line}' {said} ({explained.rule}).",
                                    explained.reason[0].upper() + explained.reason[1:] + ".", None,
                                    kind="guess"))
    if uses_distribution(len(addressees)) and _override(group_salutation) is None:
        chosen = group_salutation_for(addressees)
        findings.append(Finding("group_salutation", f"The letter has {len(addressees)} addressees, more than "
                                f"{DISTRIBUTION_THRESHOLD}: their addresses go in a distribution list and the "
                                f"letter opens '{chosen}'.",
                                "Keep it, or write your own group salutation, e.g. 'Dear Members of the "
                                "Judicial Council:'.", None, kind="salutation"))
    comma = _comma_advice(group_salutation, "group_salutation")
    if comma is not None:
        findings.append(comma)
    return findings


def _comma_advice(typed: str | None, path: str) -> Finding | None:
    """A salutation typed with a comma: the close of a personal letter, not of a formal one."""
    text = (typed or "").strip()
    if not text.endswith(",") or not re.match(r"^(my\s+)?dear\b", text, flags=re.IGNORECASE):
        return None
    fixed = text.rstrip(",").rstrip() + ":"
    return Finding(path, f"'{text}' ends with a comma, as a personal letter does.",
                   f"A formal letter's salutation ends with a colon: '{fixed}'.", fixed, kind="salutation")


def guesses(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that say a salutation was guessed or read one of two ways: what ``--strict`` refuses."""
    return [f for f in findings if f.kind == "guess"]
