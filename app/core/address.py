"""Forms of address: inside address blocks, salutations and the joint salutation.

The office used in a salutation comes from the addressee's title through a table of offices
("Attorney General of the United States" -> "Attorney General"), followed by the surname:
"Dear Attorney General Sessions and Secretary Kelly:". "The Honorable" is a form for the
envelope and the inside address only; it never appears after "Dear".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

# Longest match wins, so "Lieutenant Governor" is found before "Governor" and
# "Chief Justice" before "Justice". Each entry: words to find in the title -> form to use.
OFFICES: dict[str, str] = {
    "attorney general": "Attorney General",
    "deputy attorney general": "Deputy Attorney General",
    "solicitor general": "Solicitor General",
    "secretary": "Secretary",
    "under secretary": "Under Secretary",
    "deputy secretary": "Deputy Secretary",
    "assistant secretary": "Assistant Secretary",
    "senator": "Senator",
    "state senator": "Senator",
    "representative": "Representative",
    "congressman": "Representative",
    "congresswoman": "Representative",
    "member of congress": "Representative",
    "assemblymember": "Assemblymember",
    "assembly member": "Assemblymember",
    "assemblyman": "Assemblyman",
    "assemblywoman": "Assemblywoman",
    "delegate": "Delegate",
    "governor": "Governor",
    "lieutenant governor": "Lieutenant Governor",
    "mayor": "Mayor",
    "chief justice": "Chief Justice",
    "associate justice": "Justice",
    "justice": "Justice",
    "presiding justice": "Justice",
    "judge": "Judge",
    "presiding judge": "Judge",
    "chief judge": "Judge",
    "magistrate judge": "Judge",
    "commissioner": "Commissioner",
    "sheriff": "Sheriff",
    "district attorney": "District Attorney",
    "public defender": "Public Defender",
    "city attorney": "City Attorney",
    "county counsel": "County Counsel",
    "director": "Director",
    "acting director": "Acting Director",
    "deputy director": "Deputy Director",
    "administrator": "Administrator",
    "speaker": "Speaker",
    "president pro tempore": "President pro Tempore",
    "chair": "Chair",
    "chairman": "Chairman",
    "chairwoman": "Chairwoman",
    "chairperson": "Chair",
    "president": "President",
    "vice president": "Vice President",
    "councilmember": "Councilmember",
    "council member": "Councilmember",
    "supervisor": "Supervisor",
    "chief of police": "Chief",
    "police chief": "Chief",
    "marshal": "Marshal",
    "ambassador": "Ambassador",
    "clerk": "Clerk",
    "controller": "Controller",
    "treasurer": "Treasurer",
    "inspector general": "Inspector General",
    "superintendent": "Superintendent",
    "dean": "Dean",
    "professor": "Professor",
}

SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "esq", "esq.",
                      "phd", "ph.d.", "md", "m.d."})

_TABLE = sorted(((key.split(), form) for key, form in OFFICES.items()), key=lambda item: -len(" ".join(item[0])))
_TOKENS = re.compile(r"[a-z]+(?:[-'][a-z]+)*|,")
# The office is named before the first of these; what follows names the place or the body.
_SEPARATORS = frozenset({",", "of", "for", "to", "on"})
# Words that make a different office of the one they precede: a Deputy Mayor is not "Mayor",
# an Assistant Attorney General not "Attorney General".
_QUALIFIERS = {
    "acting": "Acting", "interim": "Interim", "deputy": "Deputy", "assistant": "Assistant",
    "associate": "Associate", "vice": "Vice", "under": "Under", "lieutenant": "Lieutenant",
    "lt": "Lieutenant",
}
# Every judge is "Judge" and every professor "Professor", whatever the rank before it.
_UNQUALIFIED = frozenset({"Judge", "Justice", "Professor"})
# Words before the last that belong to the surname: "de León", "de la Cruz", "Van Dyke".
_PARTICLES = frozenset({"da", "das", "de", "del", "della", "der", "di", "dos", "du", "la", "le", "van", "von"})


class Addressable(Protocol):
    """What the forms of address need to know about an addressee."""

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


def office_of(title: str | None) -> str | None:
    """The office named by a title, as it is used after "Dear", or None.

    Only the words before " of ", " for ", " to ", " on " or a comma name the office, so that
    "Secretary of Homeland Security" gives "Secretary" and "Director, Office of the Governor"
    gives "Director", not "Governor"; an office whose own name holds "of" ("Chief of Police")
    counts when it starts there. The longest known office found there wins, anywhere in those
    words ("United States Senator" -> "Senator"), and keeps the words that qualify it
    ("Deputy Mayor", "Acting Secretary", "Lt. Governor" -> "Lieutenant Governor").
    """
    if not title:
        return None
    tokens = _TOKENS.findall(title.lower())
    head = next((i for i, token in enumerate(tokens) if token in _SEPARATORS), len(tokens))
    for key, form in _TABLE:
        for start in range(head):
            if tokens[start:start + len(key)] == key:
                return _qualified(form, tokens[:start])
    return None


def _qualified(form: str, before: list[str]) -> str:
    if form in _UNQUALIFIED:
        return form
    words = [form]
    for token in reversed(before):
        if token not in _QUALIFIERS:
            break
        words.insert(0, _QUALIFIERS[token])
    return " ".join(words)


def surname_of(name: str) -> str:
    """The last word of a name once suffixes (Jr., III, Esq.) are dropped; hyphens stay.

    Particles before it stay with it ("Kevin de León" -> "de León"), never the first word
    ("Van Jones" -> "Jones").
    """
    words = [w for w in re.split(r"[\s,]+", name.strip()) if w]
    while len(words) > 1 and words[-1].lower() in SUFFIXES:
        words.pop()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def salutation_name(addressee: Addressable) -> str:
    """The form that follows "Dear" for one addressee."""
    override = _strip_honorable(_strip_dear(addressee.salutation or ""))
    if override:
        return override
    office = office_of(addressee.title)
    name = _strip_honorable(addressee.name)
    if office:
        surname = surname_of(name)
        if surname:
            return f"{office} {surname}"
    courtesy = _courtesy(addressee.honorific)
    if courtesy and len(name.split()) > 1:
        return f"{courtesy} {surname_of(name)}"
    return name


# Courtesy titles that go before the surname when the title names no office: "Ms. Doe".
COURTESY = {"mr.": "Mr.", "mr": "Mr.", "mrs.": "Mrs.", "mrs": "Mrs.", "ms.": "Ms.", "ms": "Ms.", "miss": "Miss",
            "mx.": "Mx.", "mx": "Mx.", "dr.": "Dr.", "dr": "Dr.", "prof.": "Professor", "professor": "Professor",
            "rev.": "Reverend", "reverend": "Reverend", "rabbi": "Rabbi", "father": "Father", "sister": "Sister"}


def _courtesy(honorific: str | None) -> str | None:
    return COURTESY.get((honorific or "").strip().lower())


def _strip_honorable(text: str) -> str:
    return re.sub(r"^(the\s+)?hon(ou?rable\b|\.)\s*", "", text.strip(), flags=re.IGNORECASE).strip()


def _strip_dear(text: str) -> str:
    """An override typed as the whole line ("Dear Judge Ito:") gives just "Judge Ito"."""
    return re.sub(r"^dear\s+|[\s:,;]+$", "", text.strip(), flags=re.IGNORECASE)


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B, and C" (the serial comma)."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def joint_salutation(addressees: Sequence[Addressable]) -> str:
    """"Dear Attorney General Sessions and Secretary Kelly:"."""
    names = [salutation_name(a) for a in addressees]
    return f"Dear {join_names(names)}:"


def name_line(addressee: Addressable) -> str:
    """"The Honorable Jeff Sessions"; with no honorific, just the name."""
    honorific = (addressee.honorific or "").strip()
    name = addressee.name.strip()
    return f"{honorific} {name}" if honorific else name


def inside_address(addressee: Addressable) -> list[str]:
    """One addressee's block: name line, title, organization, address lines; blanks left out."""
    lines = [name_line(addressee)]
    for part in (addressee.title, addressee.organization, *addressee.address):
        if part and part.strip():
            lines.extend(line.strip() for line in part.split("\n") if line.strip())
    return lines
