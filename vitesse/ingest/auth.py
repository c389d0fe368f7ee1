"""Security schemes (OpenAPI 3 ``components.securitySchemes``, Swagger 2 ``securityDefinitions``), normalized."""

from __future__ import annotations

import re
from typing import Any

from vitesse.ingest.models import AuthScheme
from vitesse.ingest.refs import RefResolver, Unresolved


def auth_schemes(doc: dict[str, Any], resolver: RefResolver) -> list[AuthScheme]:
    """Every security scheme the spec declares, in document order."""
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    raw = components.get("securitySchemes") or doc.get("securityDefinitions") or {}
    schemes = []
    for name, definition in raw.items() if isinstance(raw, dict) else []:
        try:
            definition, _ = resolver.deref(definition, resolver.root.uri)
        except Unresolved:
            continue
        if isinstance(definition, dict):
            schemes.append(_scheme(str(name), definition, resolver))
    return schemes


def _scheme(name: str, d: dict[str, Any], resolver: RefResolver) -> AuthScheme:
    kind = str(d.get("type", "")).lower()
    description = _text(d.get("description"))
    if kind == "http":
        http = str(d.get("scheme", "")).lower()
        mapped = {"bearer": "bearer", "basic": "basic"}.get(http, "other")
        return AuthScheme(name=name, type=mapped, bearer_format=_text(d.get("bearerFormat")), description=description)
    if kind == "basic":
        return AuthScheme(name=name, type="basic", description=description)
    if kind == "apikey":
        location = d.get("in") if d.get("in") in ("header", "query", "cookie") else None
        return AuthScheme(
            name=name, type="api_key", location=location, param_name=_text(d.get("name")), description=description
        )
    if kind == "oauth2":
        flows: dict[str, dict[str, Any]] = {}
        if isinstance(d.get("flows"), dict):
            for flow, spec in d["flows"].items():
                if isinstance(spec, dict):
                    flows[str(flow)] = _flow(spec)
        elif isinstance(d.get("flow"), str) and d["flow"]:  # Swagger 2.0
            flow = {"application": "clientCredentials", "accessCode": "authorizationCode"}.get(d["flow"], d["flow"])
            flows[flow] = _flow(d)
        return AuthScheme(name=name, type="oauth2", flows=flows, description=description)
    if kind == "openidconnect":
        return AuthScheme(
            name=name,
            type="openid_connect",
            openid_connect_url=_text(d.get("openIdConnectUrl")),
            description=description,
        )
    if kind == "mutualtls":
        return AuthScheme(name=name, type="mutual_tls", description=description)
    resolver.warnings.add(f"security scheme {name!r}: unknown type {d.get('type')!r}")
    return AuthScheme(name=name, type="other", description=description)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _flow(spec: dict[str, Any]) -> dict[str, Any]:
    out = {k: spec[k] for k in ("tokenUrl", "authorizationUrl", "refreshUrl") if isinstance(spec.get(k), str)}
    scopes = spec.get("scopes")
    out["scopes"] = sorted(str(s) for s in scopes) if isinstance(scopes, dict) else []
    return out


def security_requirements(requirements: Any) -> list[list[str]]:
    """A ``security`` list as alternatives of scheme names; ``[]`` means no auth, ``[[]]`` optional auth."""
    if not isinstance(requirements, list):
        return []
    return [sorted(str(k) for k in r) for r in requirements if isinstance(r, dict)]


def suggested_auth(api_name: str, schemes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A manifest ``auth`` block for the first scheme vitesse can use, secrets named by conventional env variables
    (``Acme CRM`` + bearer -> ``ACME_CRM_TOKEN``); None when the spec declares none vitesse supports."""
    prefix = re.sub(r"[^A-Z0-9]+", "_", api_name.upper()).strip("_") or "API"
    if prefix[0].isdigit():
        prefix = f"API_{prefix}"
    for scheme in schemes:
        kind = scheme.get("type")
        if kind == "bearer":
            return {"type": "bearer", "token_env": f"{prefix}_TOKEN"}
        if kind == "api_key" and scheme.get("param_name"):
            return {
                "type": "api_key",
                "in": scheme.get("location") or "header",
                "name": scheme["param_name"],
                "key_env": f"{prefix}_API_KEY",
            }
        if kind == "basic":
            return {"type": "basic", "username_env": f"{prefix}_USERNAME", "password_env": f"{prefix}_PASSWORD"}
        token_url = (scheme.get("flows") or {}).get("clientCredentials", {}).get("tokenUrl")
        if kind == "oauth2" and token_url:
            return {
                "type": "oauth2_client_credentials",
                "token_url": token_url,
                "client_id_env": f"{prefix}_CLIENT_ID",
                "client_secret_env": f"{prefix}_CLIENT_SECRET",
            }
    return None


def yaml_flow(block: dict[str, Any]) -> str:
    """A suggested ``auth`` block as the YAML a user pastes: ``{type: bearer, token_env: ACME_TOKEN}``."""
    return "{" + ", ".join(f"{key}: {value}" for key, value in block.items()) + "}"
