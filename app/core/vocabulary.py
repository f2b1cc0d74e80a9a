"""The letter's vocabulary, declared once: its six sections, an addressee's fields and its other
entries, with the words a clerk sees for each ("Concerns", "concern 2", "Courtesy title"), and a
path in the letter's JSON as the clerk reads it (``readable_path``: "Addressee 1, given name").

Everything that names a section or an addressee field (the form, preflight, undo labels, the
render context, CSV columns, the address book, the fonts walk, pack manifests) takes the names
from here rather than restating them, as python-docx declares an element's children once. The
pydantic model in ``app.core.letter`` is the data contract; ``model_disagreements`` says where
this declaration and the model part ways, and tests/core/test_vocabulary_agrees.py holds the two
(and the render context, and every shipped pack's manifest) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin


@dataclass(frozen=True)
class Section:
    """One of the letter's six sections: a list of paragraphs or of lines.

    ``key`` is the letter's JSON key ("requested_policies"); ``label`` the form's heading
    ("Requested policies"); ``singular``/``plural`` name one entry and several in running text
    ("requested policy", "requested policies").
    """

    key: str
    label: str
    singular: str
    plural: str
    #: "paragraphs" are the letter's body (typed at length, spell-checked, taken from the clause
    #: bank); "lines" are short notations under the signature (cc, enclosures).
    kind: Literal["paragraphs", "lines"]
    #: Printed with numbers (1., 2., ...) by the packs that number them.
    numbered: bool = False
    #: A letter without a word in it is not a letter: preflight refuses an empty section of this
    #: kind when the pack prints it, and a new letter starts with one empty paragraph to type in.
    required: bool = False

    def entry(self, index: int) -> str:
        """The entry at ``index`` (from 0) as a clerk counts it: "concern 2"."""
        return f"{self.singular} {index + 1}"

    def path(self, index: int) -> str:
        """The entry's path in the letter's JSON: "concerns[1]"."""
        return f"{self.key}[{index}]"


SECTIONS: tuple[Section, ...] = (
    Section("opening", "Opening", "opening paragraph", "opening paragraphs", "paragraphs", required=True),
    Section("concerns", "Concerns", "concern", "concerns", "paragraphs", numbered=True, required=True),
    Section("requested_policies", "Requested policies", "requested policy", "requested policies", "paragraphs",
            numbered=True),
    Section("closing", "Closing", "closing paragraph", "closing paragraphs", "paragraphs"),
    Section("cc", "cc", "cc line", "cc lines", "lines"),
    Section("enclosures", "Enclosures", "enclosure", "enclosures", "lines"),
)
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
#: The body of the letter, in the order it prints.
PARAGRAPH_SECTIONS: tuple[str, ...] = tuple(s.key for s in SECTIONS if s.kind == "paragraphs")
#: The notations under the signature.
LINE_SECTIONS: tuple[str, ...] = tuple(s.key for s in SECTIONS if s.kind == "lines")
_BY_KEY = {s.key: s for s in SECTIONS}


def section(key: str) -> Section:
    """The section the JSON key names; KeyError names the known ones."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"{key!r} is not a section of a letter; the sections are {', '.join(SECTION_KEYS)}") from None


def is_section(key: str) -> bool:
    return key in _BY_KEY


@dataclass(frozen=True)
class AddresseeField:
    """One field of an addressee, as the form, the CSV import and the address book know it."""

    key: str
    label: str
    required: bool = False
    #: "lines": a list of lines (the address), written with "|" between lines in a CSV cell.
    kind: Literal["text", "lines"] = "text"
    #: What the empty field says to the clerk (its placeholder).
    hint: str = ""
    #: Given to a template as typed, under its own key (``a.title``). The others only steer the
    #: forms of address (a salutation override, a surname, a courtesy title), which the render
    #: context gives as their result (``a.salutation_line``, ``a.surname``: the surname used).
    printed_as_typed: bool = False


#: In the order of the letter's JSON (and of a CSV file's columns).
ADDRESSEE_FIELDS: tuple[AddresseeField, ...] = (
    AddresseeField("honorific", "Honorific", printed_as_typed=True),
    AddresseeField("name", "Name", required=True, printed_as_typed=True),
    AddresseeField("title", "Title", hint="Optional: none for a private person", printed_as_typed=True),
    AddresseeField("organization", "Organization", printed_as_typed=True),
    AddresseeField("address", "Address lines", kind="lines", printed_as_typed=True),
    AddresseeField("salutation", "Salutation", hint="Leave empty to use the office and surname"),
    # What no forms-of-address rule can know: a two-word family name ("Cortez Masto"), a family
    # name written first, "Ms." for "Dear Madam Speaker:".
    AddresseeField("surname", "Surname", hint="Only where the rule guesses wrong, e.g. Cortez Masto"),
    AddresseeField("given_name", "Given name", hint="Optional"),
    AddresseeField("courtesy", "Courtesy title"),
)
ADDRESSEE_KEYS: tuple[str, ...] = tuple(f.key for f in ADDRESSEE_FIELDS)
#: Single-line fields kept in the letter's JSON only when filled in.
ADDRESSEE_OPTIONAL: tuple[str, ...] = tuple(f.key for f in ADDRESSEE_FIELDS if not f.required and f.kind == "text")
_FIELD_BY_KEY = {f.key: f for f in ADDRESSEE_FIELDS}


def addressee_field(key: str) -> AddresseeField:
    """The addressee field the key names; KeyError names the known ones."""
    try:
        return _FIELD_BY_KEY[key]
    except KeyError:
        raise KeyError(f"{key!r} is not a field of an addressee; the fields are {', '.join(ADDRESSEE_KEYS)}") from None


#: The list of addressees, counted as the clerk counts them ("addressee 2").
ADDRESSEES = Section("addressees", "Addressees", "addressee", "addressees", "lines", required=True)


@dataclass(frozen=True)
class Part:
    """Any other entry of the letter, with the words the clerk sees for it."""

    key: str
    label: str


#: The letter's entries that are neither a section nor the addressees, in the order of its JSON.
PARTS: tuple[Part, ...] = (
    Part("template", "Template"),
    Part("date", "Date"),
    Part("reference", "Reference"),
    Part("subject", "Subject"),
    Part("sender", "Court"),
    Part("signatory", "Signatory"),
    Part("complimentary_close", "Complimentary close"),
    # A pack's own fields: "Field, bill number".
    Part("fields", "Field"),
    Part("group_salutation", "Group salutation"),
)
_PART_BY_KEY = {p.key: p for p in PARTS}


def entry_label(key: str, index: int) -> str:
    """ "concerns", 1 -> "concern 2"; "addressees", 0 -> "addressee 1"."""
    return (ADDRESSEES if key == ADDRESSEES.key else section(key)).entry(index)


def readable_path(path: str) -> str:
    """A path in the letter's JSON as the clerk reads it: "concerns[1]" -> "Concern 2",
    "addressees[0].given_name" -> "Addressee 1, given name", "fields.bill_number" -> "Field, bill number"."""
    if not path:
        return ""
    head, _, rest = path.partition(".")
    key, _, index = head.partition("[")
    listed = ADDRESSEES if key == ADDRESSEES.key else _BY_KEY.get(key)
    if listed is not None and index:
        # "cc line 2": what the court writes in lower case stays so at the start of a line too.
        singular = listed.singular if listed.label[:1].islower() else _capital(listed.singular)
        text = f"{singular} {int(index.rstrip(']')) + 1}"
    elif listed is not None:
        text = listed.label
    elif key in _PART_BY_KEY:
        text = _PART_BY_KEY[key].label
    else:
        text = _capital(key.replace("_", " "))
    if rest:
        name, _, line = rest.partition("[")
        spec = _FIELD_BY_KEY.get(name) if listed is ADDRESSEES else None
        if spec is not None and spec.kind == "lines" and line:
            text += f", {spec.label.lower().removesuffix('s')} {int(line.rstrip(']')) + 1}"
        elif spec is not None:
            text += f", {spec.label.lower()}"
        else:
            text += f", {rest.replace('_', ' ')}"
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def addressee_data(values: Any) -> dict[str, Any]:
    """An addressee as the letter's JSON has it, from anything with the fields as attributes
    (an address-book entry, a form row): the name and address always, the other fields only
    when filled in."""
    data: dict[str, Any] = {}
    for spec in ADDRESSEE_FIELDS:
        value = getattr(values, spec.key, None)
        if spec.kind == "lines":
            data[spec.key] = list(value or ())
        elif spec.required:
            data[spec.key] = value or ""
        elif isinstance(value, str) and value.strip():
            data[spec.key] = value
    return data


def _is_text_list(annotation: Any) -> bool:
    if get_origin(annotation) is not list:
        return False
    (item,) = get_args(annotation)
    if get_origin(item) is Annotated:  # CleanStr: text with a length limit
        item = get_args(item)[0]
    return item is str


def model_disagreements(letter_model: Any, addressee_model: Any) -> list[str]:
    """Where the pydantic models and this declaration part ways, one sentence each ([] when
    they agree). Takes the model classes so that ``app.core.letter`` can import this module."""
    out: list[str] = []
    list_keys = {name for name, info in letter_model.model_fields.items() if _is_text_list(info.annotation)}
    for key in sorted(list_keys - set(SECTION_KEYS)):
        out.append(f"Letter.{key} is a list of text the vocabulary does not declare as a section")
    declared = {*SECTION_KEYS, ADDRESSEES.key, *_PART_BY_KEY}
    for key in sorted(set(letter_model.model_fields) - declared - list_keys):
        out.append(f"Letter.{key} is an entry the vocabulary does not declare as a part")
    for key in sorted(declared - set(letter_model.model_fields) - set(SECTION_KEYS)):
        out.append(f"the vocabulary declares {key!r}, which Letter has no field for")
    for key in SECTION_KEYS:
        if key not in letter_model.model_fields:
            out.append(f"the vocabulary declares section {key!r}, which Letter has no field for")
        elif key not in list_keys:
            out.append(f"the vocabulary declares section {key!r}, but Letter.{key} is not a list of text")
    fields = addressee_model.model_fields
    for key in sorted(set(fields) - set(ADDRESSEE_KEYS)):
        out.append(f"Addressee.{key} is a field the vocabulary does not declare")
    for spec in ADDRESSEE_FIELDS:
        info = fields.get(spec.key)
        if info is None:
            out.append(f"the vocabulary declares addressee field {spec.key!r}, which Addressee has no field for")
        elif info.is_required() != spec.required:
            out.append(f"addressee field {spec.key!r} is {'required' if spec.required else 'optional'} in the "
                       f"vocabulary but {'required' if info.is_required() else 'optional'} in Addressee")
    if tuple(k for k in fields if k in _FIELD_BY_KEY) != ADDRESSEE_KEYS:
        out.append("the vocabulary lists the addressee fields in another order than Addressee")
    return out
