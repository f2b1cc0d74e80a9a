"""Finding, checking and caching template packs.

Packs live in folders: the ones shipped in ``templates/``, a court's own in the user's
templates folder, or any folder named on the command line. A compiled pack is cached per
folder and rebuilt when its files change, so the GUI's preview never recompiles on a keystroke.
"""

from __future__ import annotations

import builtins
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import TemplateProblem
from app.core.packs import MAX_SAMPLE_BYTES, Manifest, load_manifest, read_pack_file
from app.rendering.engine import CompiledPack, check_pack
from app.resources import shipped

SHIPPED = shipped("templates")


@dataclass(frozen=True)
class PackInfo:
    """What a template gallery shows about a pack."""

    id: str
    name: str
    description: str
    version: str
    folder: Path
    problem: str | None = None


def _stamp(folder: Path) -> tuple[int, ...]:
    # lstat: a link swapped in for a file must change the stamp, so the pack is read (and refused) again.
    stamps: list[int] = []
    for name in ("manifest.yaml", "letter.docx"):
        try:
            info = os.lstat(folder / name)
        except OSError:
            stamps.extend((-1, -1, -1, -1))
            continue
        stamps.extend((info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode))
    return tuple(stamps)


class TemplateLibrary:
    """The packs available to this installation, by id or by folder."""

    def __init__(self, folders: list[Path] | None = None) -> None:
        self.folders = folders if folders is not None else [SHIPPED]
        self._cache: dict[Path, tuple[tuple[int, ...], CompiledPack]] = {}
        self._lock = threading.Lock()
        self._manifests: dict[Path, tuple[tuple[int, ...], Manifest]] = {}

    def _pack_folders(self) -> list[Path]:
        found: list[Path] = []
        for root in self.folders:
            if not root.is_dir():
                continue
            for child in sorted(root.iterdir()):
                if child.is_dir() and (child / "manifest.yaml").exists():
                    found.append(child)
        return found

    def list(self) -> list[PackInfo]:
        """Every pack found, the broken ones too (with their problem), first folder wins."""
        seen: set[str] = set()
        infos: list[PackInfo] = []
        for folder in self._pack_folders():
            try:
                manifest: Manifest = self._manifest(folder)
            except TemplateProblem as exc:
                infos.append(PackInfo(folder.name, folder.name, "", "?", folder, str(exc)))
                continue
            if manifest.id in seen:
                continue
            seen.add(manifest.id)
            infos.append(PackInfo(manifest.id, manifest.name, manifest.description,
                                  manifest.version, folder))
        return infos

    def _manifest(self, folder: Path) -> Manifest:
        """The folder's manifest, read again only when the file changes (every ``get`` lists the packs)."""
        path = folder / "manifest.yaml"
        try:
            info = os.lstat(path)
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode)
        except OSError:
            return load_manifest(path)  # says what is wrong with it
        with self._lock:
            cached = self._manifests.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        manifest = load_manifest(path)
        with self._lock:
            self._manifests[path] = (stamp, manifest)
        return manifest

    def folder_of(self, id_or_path: str) -> Path:
        """The folder of a pack named by id, or given as a folder path."""
        infos = self.list()
        for info in infos:
            if info.id == id_or_path:
                return info.folder.resolve()
        candidate = Path(id_or_path).expanduser()
        if candidate.is_dir():
            if not (candidate / "manifest.yaml").exists():
                raise TemplateProblem(f"{candidate}: not a template pack (no manifest.yaml)")
            return candidate.resolve()
        known = ", ".join(p.id for p in infos) or "none"
        raise TemplateProblem(f"no template pack called {id_or_path!r} (known: {known})")

    def get(self, id_or_path: str) -> CompiledPack:
        """The compiled pack, compiled once and again only when its files change."""
        folder = self.folder_of(id_or_path)
        stamp = _stamp(folder)
        with self._lock:
            cached = self._cache.get(folder)
            if cached and cached[0] == stamp:
                return cached[1]
        pack = CompiledPack(folder, manifest=self._manifest(folder))
        with self._lock:
            self._cache[folder] = (stamp, pack)
        return pack

    def check(self, folder: Path) -> builtins.list[str]:
        return check_pack(folder)

    def advice(self, folder: Path) -> builtins.list[str]:
        """Advice for the pack's author (direct formatting where a style belongs); never makes a pack unsound."""
        from app.rendering.engine import SEAL_MEDIA
        from app.rendering.package import MAX_TEMPLATE_BYTES, inspect_package, read_members
        from app.rendering.style_advice import style_advice

        data = read_pack_file(folder / "letter.docx", MAX_TEMPLATE_BYTES, "the template")
        members = read_members(data, "the template")
        advice = style_advice(members)
        if not any(target == SEAL_MEDIA for _part, _rel, target in inspect_package(members).images):
            advice.append(f"the pack shows no seal (no picture {SEAL_MEDIA} in the document or a header): its "
                          "letters print none, and the seal of the office's court profile is not used")
        return advice

    def sample(self, id_or_path: str) -> str:
        """The pack's sample letter as JSON text; a link, pipe or oversized file is refused."""
        path = self.folder_of(id_or_path) / "sample.json"
        raw = read_pack_file(path, MAX_SAMPLE_BYTES, "the sample letter")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateProblem(f"{path}: is not UTF-8 text") from None
