"""Step 1 of the seed, create: record an integration from its manifest (status ``discovering``)."""

from vitesse.create.scaffold import scaffold_manifest
from vitesse.create.step import create, ensure_created

__all__ = ["create", "ensure_created", "scaffold_manifest"]
