"""Credentials for outgoing requests, from the manifest's env-var references (never stored, never logged)."""

from __future__ import annotations

import base64
import os
from typing import Any

from vitesse.errors import RuntimeSyncError
from vitesse.manifest.models import ApiKeyAuth, BasicAuth, BearerAuth, OAuth2ClientCredentials

PLACEHOLDER = "vitesse-sandbox-credential"


def secret_env_names(auth: Any) -> list[str]:
    """The environment variables an auth block reads."""
    if auth is None:
        return []
    return [
        getattr(auth, name)
        for name in ("token_env", "key_env", "username_env", "password_env", "client_id_env", "client_secret_env")
        if hasattr(auth, name)
    ]


def auth_parts(auth: Any, *, placeholder: bool, from_env: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query parameters) for an auth block. A missing env var is the placeholder (sandboxes) or an error;
    ``from_env=False`` never reads the env vars: placeholders of the right kind only (untrusted sandboxes)."""

    def secret(name: str) -> str:
        value = os.environ.get(name) if from_env else None
        if value:
            return value
        if placeholder:
            return PLACEHOLDER
        raise RuntimeSyncError(
            f"environment variable {name} is not set (the manifest's auth names it)", code="runtime.missing_secret"
        )

    if isinstance(auth, BearerAuth):
        return {"Authorization": f"Bearer {secret(auth.token_env)}"}, {}
    if isinstance(auth, ApiKeyAuth):
        if auth.in_ == "query":
            return {}, {auth.name: secret(auth.key_env)}
        if auth.in_ == "cookie":
            return {"Cookie": f"{auth.name}={secret(auth.key_env)}"}, {}
        return {auth.name: secret(auth.key_env)}, {}
    if isinstance(auth, BasicAuth):
        pair = f"{secret(auth.username_env)}:{secret(auth.password_env)}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}, {}
    if isinstance(auth, OAuth2ClientCredentials):
        if placeholder:
            return {"Authorization": f"Bearer {PLACEHOLDER}"}, {}  # no token exchange against a sandbox
        return {"Authorization": f"Bearer {client_credentials_token(auth, secret)}"}, {}
    return {}, {}


def client_credentials_token(auth: OAuth2ClientCredentials, secret: Any) -> str:
    """An access token from the OAuth2 client-credentials flow."""
    import httpx

    try:
        response = httpx.post(
            auth.token_url,
            data={"grant_type": "client_credentials", **({"scope": " ".join(auth.scopes)} if auth.scopes else {})},
            auth=(secret(auth.client_id_env), secret(auth.client_secret_env)),
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise RuntimeSyncError(
            f"OAuth2 token request to {auth.token_url} failed: {type(exc).__name__}", code="runtime.auth"
        ) from None
