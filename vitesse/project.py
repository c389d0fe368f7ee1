"""A vitesse project folder: its ``integrations/`` manifests and its artifact store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vitesse.artifacts import ArtifactStore
from vitesse.errors import ManifestError
from vitesse.manifest import ManifestFile, find_manifests, load_manifest

INTEGRATIONS_DIR = "integrations"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def integrations_dir(self) -> Path:
        return self.root / INTEGRATIONS_DIR

    @property
    def store(self) -> ArtifactStore:
        return ArtifactStore.for_project(self.root)

    def manifest_path(self, name: str) -> Path:
        """The manifest file for an integration name (or a path to a manifest file, taken as is)."""
        if name.endswith((".yaml", ".yml")) or "/" in name:
            return Path(name)
        for suffix in (".yaml", ".yml"):
            candidate = self.integrations_dir / f"{name}{suffix}"
            if candidate.exists():
                return candidate
        return self.integrations_dir / f"{name}.yaml"

    def load(self, name: str) -> ManifestFile:
        """Load one integration's manifest; a clear error lists the known names if it does not exist."""
        path = self.manifest_path(name)
        if not path.exists():
            known = ", ".join(self.names()) or "none"
            raise ManifestError(
                [f"{path}: no such integration {name!r} (known: {known}); create it with `vitesse new {name}`"],
                code="manifest.not_found",
            )
        return load_manifest(path)

    def peers(self, exclude: str) -> list[ManifestFile]:
        """The project's other valid manifests (evidence for the mapper); invalid ones are skipped."""
        found = []
        for name in self.names():
            if name == exclude:
                continue
            try:
                found.append(load_manifest(self.manifest_path(name)))
            except ManifestError:
                continue
        return found

    def names(self) -> list[str]:
        if not self.integrations_dir.is_dir():
            return []
        return [p.stem for p in find_manifests([self.integrations_dir])]
