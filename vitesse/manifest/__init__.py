"""The integration manifest: models, loader with positioned errors, and per-step section hashes."""

from vitesse.manifest.loader import ManifestFile, display_path, find_manifests, load_manifest, parse_manifest
from vitesse.manifest.models import Manifest
from vitesse.manifest.sections import STEPS, section_hash, step_sections

__all__ = [
    "STEPS",
    "Manifest",
    "ManifestFile",
    "display_path",
    "find_manifests",
    "load_manifest",
    "parse_manifest",
    "section_hash",
    "step_sections",
]
