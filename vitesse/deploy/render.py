"""Render the deploy templates (Jinja2, StrictUndefined) from a bundle and the manifest's deploy settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from vitesse import jsoncodec
from vitesse.deploy.state import STATE_DIR, STATE_FILE, state_args, state_url_env
from vitesse.errors import DeployError
from vitesse.httpauth import secret_env_names
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import EnvValue
from vitesse.runtime.bundle import Bundle

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PORT = 8080


@dataclass(frozen=True)
class DeployContext:
    """Everything a target needs to render and apply one integration."""

    mf: ManifestFile
    bundle: Bundle
    bundle_path: Path
    workdir: Path

    @property
    def short_id(self) -> str:
        return self.bundle.integration_id[:8]

    @property
    def resource(self) -> str:
        return f"vitesse-{self.mf.name}"[:63].rstrip("-")

    @property
    def default_image(self) -> str:
        """The image a container target runs unless the manifest names one: ``vitesse-<name>:<bundle version>``."""
        return f"{self.resource}:{self.bundle.version}"

    def variables(self) -> dict[str, Any]:
        deploy = self.mf.manifest.deploy
        k8s = deploy.kubernetes
        labels = {
            "app.kubernetes.io/name": "vitesse",
            "app.kubernetes.io/instance": self.resource,
            "app.kubernetes.io/managed-by": "vitesse",
            "vitesse.dev/integration": self.mf.name,
            **{f"vitesse.dev/{step}-version": version for step, version in self.bundle.versions.items()},
            "vitesse.dev/bundle-version": self.bundle.version,
        }
        return {
            "name": self.mf.name,
            "resource": self.resource,
            "integration_id": self.bundle.integration_id,
            "short_id": self.short_id,
            "labels": labels,
            "namespace": k8s.namespace,
            "replicas": deploy.replicas,
            "max_replicas": k8s.max_replicas or deploy.replicas * 4,
            "memory_mb": deploy.memory_mb,
            "cpu_cores": deploy.cpu_cores,
            "cpu_millis": max(1, round(deploy.cpu_cores * 1000)),
            "auto_scale": deploy.auto_scale,
            "image": k8s.image or self.default_image,
            "host": k8s.host,
            "ingress_class": k8s.ingress_class,
            "port": PORT,
            "path_prefix": f"/vitesse-{self.short_id}",
            "bundle_version": self.bundle.version,
            "bundle_json": jsoncodec.dumps(self.bundle.model_dump(mode="json", by_alias=True)).decode(),
            "secrets": self.secrets(),
            "state_url_env": state_url_env(self.mf.manifest),
            "state_dir": STATE_DIR,
            "state_args": state_args(self.mf.manifest, STATE_FILE),
            "state_size": k8s.state_size,
            "storage_class": k8s.storage_class,
        }

    def secrets(self) -> list[str]:
        """The env vars the runtime reads: the auth secrets, ``{env: NAME}`` parameters and a PostgreSQL URL."""
        auths = (self.bundle.source.auth, self.bundle.destination.auth)
        names = {env for auth in auths for env in secret_env_names(auth)}
        for side in (self.mf.manifest.source, self.mf.manifest.destination):
            names.update(value.env for value in side.params.values() if isinstance(value, EnvValue))
        if (url_env := state_url_env(self.mf.manifest)) is not None:
            names.add(url_env)
        return sorted(names)


def render(template: str, variables: dict[str, Any]) -> str:
    """One template with StrictUndefined: a missing variable is a `DeployError`, never an empty string."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    try:
        return environment.get_template(template).render(**variables)
    except TemplateError as exc:
        raise DeployError(f"template {template} does not render: {exc}", code="deploy.template") from None
