"""Template-pack manifests: what a pack is called, which sections it uses, what fields it adds."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.core.errors import LetterInvalid, Problem, TemplateProblem
from app.core.letter import Letter, problems_from
from app.core.vocabulary import SECTION_KEYS, SECTIONS

CORE_SECTIONS = SECTION_KEYS
FieldType = Literal["text", "multiline", "date", "choice", "bool", "number"]
MAX_MANIFEST_BYTES = 256 * 1024
MAX_SAMPLE_BYTES = 2 * 1024 * 1024


class PackField(BaseModel):
    """An extra field a pack adds to the letter form, kept in ``letter.fields``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    type: FieldType = "text"
    label: str
    help: str = ""
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    default: str | bool | int | float | None = None

    @model_validator(mode="after")
    def _choices(self) -> PackField:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} is a choice but lists no choices")
        return self


class Manifest(BaseModel):
    """``manifest.yaml`` of a template pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,60}$")
    name: str
    description: str = ""
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$")
    sections: list[str] = Field(default_factory=lambda: list(CORE_SECTIONS))
    fields: list[PackField] = Field(default_factory=list)
    # The letter's language (issue 18): its date, salutations and document language follow it.
    language: Literal["en", "es"] = "en"

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in CORE_SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(CORE_SECTIONS)}")
        return value

    def field(self, name: str) -> PackField | None:
        return next((f for f in self.fields if f.name == name), None)

    def check_letter(self, letter: Letter) -> list[Problem]:
        """What the letter lacks or gets wrong for this pack's fields and sections."""
        problems: list[Problem] = []
        declared = {f.name: f for f in self.fields}
        for key in letter.fields:
            if key not in declared:
                problems.append(Problem(f"fields.{key}", f"is not a field of template {self.id!r}"))
        for spec in self.fields:
            value = letter.fields.get(spec.name, spec.default)
            path = f"fields.{spec.name}"
            if value is None or (isinstance(value, str) and not value.strip()):
                if spec.required:
                    problems.append(Problem(path, f"required ({spec.label})"))
                continue
            if spec.type == "choice" and value not in spec.choices:
                problems.append(Problem(path, f"must be one of {', '.join(spec.choices)}, not {value!r}"))
            elif spec.type == "bool" and not isinstance(value, bool):
                problems.append(Problem(path, "must be true or false"))
            elif spec.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
                problems.append(Problem(path, "must be a number"))
            elif spec.type == "date" and not _is_iso_date(value):
                problems.append(Problem(path, "must be a date written YYYY-MM-DD"))
        for section in SECTIONS:
            if section.key not in self.sections and getattr(letter, section.key):
                problems.append(Problem(section.key, f"template {self.id!r} has no {section.label.lower()} section; "
                                                     "this text would not be printed"))
        return problems

    def field_values(self, letter: Letter) -> dict[str, Any]:
        """The pack's fields with defaults filled in, for rendering."""
        values: dict[str, Any] = {f.name: f.default for f in self.fields}
        values.update({k: v for k, v in letter.fields.items() if k in values})
        return values


def _is_iso_date(value: object) -> bool:
    if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit // 1024} KB"


def read_pack_file(path: Path, limit: int, label: str = "the file") -> bytes:
    """The bytes of one file of a template pack, which must be a plain file within its folder.

    A pack comes from outside the court: its ``letter.docx`` may be a link to /dev/zero or its
    ``sample.json`` a link to a system file. The file is looked at without following links
    (``lstat``), opened without following links or blocking on a pipe, checked again on the open
    handle (the same file, still plain) and its size checked before any byte is read; the read
    itself stops one byte past the limit, whatever the size said.
    """
    try:
        folder = path.parent.resolve(strict=True)
        info = os.lstat(path)
    except OSError as exc:
        raise TemplateProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise TemplateProblem(f"{path}: is a link to another file; a pack's files must be plain files "
                              "inside its folder")
    if not stat.S_ISREG(info.st_mode):
        raise TemplateProblem(f"{path}: is not a plain file (a folder, pipe or device); a pack's files "
                              "must be plain files inside its folder")
    if info.st_size > limit:
        raise TemplateProblem(f"{path}: {label} is larger than {_size(limit)}")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(folder / path.name, flags)
    except OSError as exc:
        raise TemplateProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise TemplateProblem(f"{path}: was replaced while it was being read; try again")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise TemplateProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TemplateProblem(f"{path}: {label} is larger than {_size(limit)}")
    return data


class _ManifestLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases.

    An alias is a reference, so a few lines of them describe a structure of billions of nodes
    that validation and error messages would then walk; a manifest has no use for them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "anchors and aliases (& and *) are not allowed "
                                              "in a manifest", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def load_manifest(path: Path) -> Manifest:
    """Read and check a pack's ``manifest.yaml``; raise ``TemplateProblem`` in plain words."""
    raw = read_pack_file(path, MAX_MANIFEST_BYTES, "manifest")
    try:
        data = yaml.load(raw, Loader=_ManifestLoader)  # a SafeLoader that refuses aliases
    except yaml.YAMLError as exc:
        raise TemplateProblem(f"{path}: not valid YAML ({exc})") from None
    except RecursionError:
        raise TemplateProblem(f"{path}: not valid YAML (nested too deeply)") from None
    if not isinstance(data, dict):
        raise TemplateProblem(f"{path}: a manifest must be a mapping of names to values")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(str(p) for p in problems_from(exc, "a manifest"))
        raise TemplateProblem(f"{path}: {details}") from None


def check_letter_for_pack(manifest: Manifest, letter: Letter) -> None:
    problems = manifest.check_letter(letter)
    if problems:
        raise LetterInvalid(problems)
