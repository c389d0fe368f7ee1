"""The response examples a spec gives for one endpoint (media-type ``example`` / ``examples``, Swagger 2.0's
``examples``), read from the document itself: the normalized spec ingest stores keeps schemas, not examples.

For `vitesse map NAME --write-fixtures`, which seeds fixture cases from them (`vitesse.fixtures.seed`). The spec is
read under the side's ``spec_access`` policy, as ingest reads it; anything that cannot be read or followed gives no
examples, never an error.
"""

from __future__ import annotations

import hashlib
from typing import Any

from vitesse.errors import SpecError
from vitesse.ingest.endpoints import pick_media_type
from vitesse.ingest.fetch import read_document, to_uri
from vitesse.ingest.models import Endpoint
from vitesse.ingest.parse import parse_document
from vitesse.ingest.refs import Document, RefResolver, Unresolved, Warnings
from vitesse.manifest import ManifestFile

MAX_EXAMPLES = 5


def response_examples(mf: ManifestFile, side_name: str, endpoint: Endpoint) -> list[Any]:
    """The example bodies the spec of ``side_name`` gives for ``endpoint``'s success response (at most
    `MAX_EXAMPLES`); [] when it gives none or the spec cannot be read."""
    from vitesse.ingest.step import check_contained  # a local spec stays inside the project, as ingest checks

    side = getattr(mf.manifest, side_name)
    if not side.spec or endpoint.response_status is None:
        return []
    try:
        check_contained(mf, side_name, side)
        uri = to_uri(side.spec, mf.folder)
        raw, final_uri = read_document(uri, side.spec_access)
        data = parse_document(raw, side.spec)
        resolver = RefResolver(
            Document(final_uri, data, len(raw), hashlib.sha256(raw).hexdigest()), side.spec_access, Warnings()
        )
        return _examples(resolver, data, final_uri, endpoint)[:MAX_EXAMPLES]
    except (SpecError, Unresolved, RecursionError):
        return []


def _examples(resolver: RefResolver, data: Any, root: str, endpoint: Endpoint) -> list[Any]:
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict) or endpoint.path not in paths:
        return []
    item, uri = resolver.deref(paths[endpoint.path], root)
    operation, uri = resolver.deref(_get(item, endpoint.method.lower()), uri)
    response, uri = resolver.deref(_get(_get(operation, "responses"), str(endpoint.response_status)), uri)
    if not isinstance(response, dict):
        return []
    found: list[Any] = []
    if isinstance(response.get("examples"), dict) and "content" not in response:  # Swagger 2.0: mime -> body
        examples = response["examples"]
        media = pick_media_type({str(k): None for k in examples})
        return [examples[media]] if media in examples else []
    content = response.get("content")
    if not isinstance(content, dict) or not content:
        return []
    media = endpoint.response_content_type if endpoint.response_content_type in content else pick_media_type(content)
    media_object, uri = resolver.deref(content.get(media), uri)
    if not isinstance(media_object, dict):
        return []
    if "example" in media_object:
        found.append(media_object["example"])
    named = media_object.get("examples")
    for example in named.values() if isinstance(named, dict) else []:
        try:
            example, _ = resolver.deref(example, uri)
        except Unresolved:
            continue
        if isinstance(example, dict) and "value" in example:  # externalValue is not fetched
            found.append(example["value"])
    return found


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None
