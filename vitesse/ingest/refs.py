"""``$ref`` resolution across documents, under a `SpecAccess` policy.

Refs are never inlined wholesale (Stripe's and Xero's schemas are circular, and Stripe's expand to gigabytes when
inlined); the resolver only answers "where does this ref point" and "what is there", loading each document once.

Policy, in order:
  * a ref to a local file outside the ref root (``/etc/passwd``, ``../../secrets.yaml``) -> `SpecError`
  * a ref to ``localhost`` or a non-public IP literal (``http://169.254.169.254/``) -> `SpecError`, whatever the
    spelling (``http://2852039166/``, ``http://[::ffff:169.254.169.254]/``: `vitesse.hosts`); link-local even with
    ``private_hosts``
  * any other remote ref when ``remote_refs`` is off -> not followed, one warning (Square's specs have such refs)
  * a ref whose document or JSON pointer does not exist -> not followed, one warning (Intercom 2.11 has one)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from vitesse.errors import SpecError
from vitesse.hosts import address_kind, describe, host_address
from vitesse.ingest.fetch import (
    check_public_host,
    is_literal_private_host,
    join_uri,
    read_document,
    uri_path,
)
from vitesse.ingest.parse import parse_document
from vitesse.manifest.models import SpecAccess

MAX_DOCUMENTS = 10_000
MAX_REF_HOPS = 32


@dataclass
class Warnings:
    """Ordered, de-duplicated warnings, with a count of repeats."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, message: str) -> None:
        self.counts[message] = self.counts.get(message, 0) + 1

    def as_list(self) -> list[str]:
        return [m if n == 1 else f"{m} ({n} places)" for m, n in self.counts.items()]


class Unresolved(Exception):
    """A ref that is not followed; the reason is already in the warnings."""


@dataclass
class Document:
    uri: str
    data: Any
    size: int
    sha256: str


class RefResolver:
    """Locates and loads ``$ref`` targets for one root document."""

    def __init__(self, root: Document, access: SpecAccess, warnings: Warnings) -> None:
        self.root = root
        self.access = access
        self.warnings = warnings
        self.documents: dict[str, Document] = {root.uri: root}
        self.failed: set[str] = set()
        self.total_bytes = root.size
        scheme = urlparse(root.uri).scheme
        if scheme == "file":
            folder = uri_path(root.uri).parent / access.ref_root
            self.file_root: Path | None = Path(os.path.realpath(folder))
            self.url_root: str | None = None
        else:
            self.file_root = None
            self.url_root = root.uri.rsplit("/", 1)[0] + "/"

    # -- locating -----------------------------------------------------------------------------------------------
    def locate(self, ref: str, base_uri: str) -> tuple[str, str]:
        """The (document URI, JSON pointer) a ref points to; raises `Unresolved` or `SpecError` by policy."""
        if not isinstance(ref, str):
            self.warnings.add(f"{self.where(base_uri)}: $ref is not a string ({type(ref).__name__})")
            raise Unresolved
        target, _, fragment = ref.partition("#")
        try:
            uri = join_uri(base_uri, target) if target else base_uri
        except ValueError as exc:  # e.g. "http://[::1/x": urllib refuses the URL
            self.warnings.add(f"{self.where(base_uri)}: $ref {ref!r} is not a valid URL ({exc}); not followed")
            raise Unresolved from None
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            if "/" not in pointer:
                self.warnings.add(f"{self.where(base_uri)}: $ref {ref!r} uses a plain-name fragment; not followed")
                raise Unresolved
            self.warnings.add(f"{self.where(base_uri)}: $ref {ref!r} lacks the '/' after '#'; read as '#/{pointer}'")
            pointer = "/" + pointer
        self._check_policy(uri, ref, base_uri)
        return uri, pointer

    def _check_policy(self, uri: str, ref: str, base_uri: str) -> None:
        if uri in self.documents:
            return
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            if self.file_root is None:
                raise SpecError(
                    f"{self.where(base_uri)}: $ref {ref!r} points to a local file from a remote spec; refused",
                    code="spec.ref_refused",
                )
            path = Path(os.path.realpath(uri_path(uri)))
            if not path.is_relative_to(self.file_root):
                raise SpecError(
                    f"{self.where(base_uri)}: $ref {ref!r} leaves the spec's folder ({path}); refused. If the file "
                    f"is part of the spec, set spec_access.ref_root to a folder that contains it",
                    code="spec.ref_outside_root",
                )
            return
        if parsed.scheme in ("http", "https"):
            address = host_address(parsed.hostname or "")
            kind, decided = address_kind(address) if address is not None else ("public", None)
            if kind == "link-local" and decided is not None:
                shown = describe(decided, parsed.hostname or "")
                raise SpecError(
                    f"{self.where(base_uri)}: $ref {ref!r} points to a link-local address, {shown}, where cloud "
                    "metadata services live; refused",
                    code="spec.private_address",
                )
            if parsed.hostname and is_literal_private_host(parsed.hostname) and not self.access.private_hosts:
                raise SpecError(
                    f"{self.where(base_uri)}: $ref {ref!r} points to a private or loopback address; refused "
                    "(set spec_access.private_hosts: true only if you trust the spec)",
                    code="spec.private_address",
                )
            same_tree = self.url_root is not None and uri.startswith(self.url_root)
            if not (same_tree or self.access.remote_refs):
                self.warnings.add(
                    f"{self.where(base_uri)}: remote $ref {ref!r} not followed (set spec_access.remote_refs: true "
                    "to allow)"
                )
                raise Unresolved
            check_public_host(uri, self.access)
            return
        raise SpecError(
            f"{self.where(base_uri)}: $ref {ref!r} uses unsupported scheme {parsed.scheme!r}", code="spec.ref_refused"
        )

    # -- loading ------------------------------------------------------------------------------------------------
    def document(self, uri: str) -> Document:
        """The parsed document at ``uri`` (loaded once); `Unresolved` with a warning if it cannot be read."""
        found = self.documents.get(uri)
        if found is not None:
            return found
        if uri in self.failed:
            raise Unresolved
        if len(self.documents) >= MAX_DOCUMENTS:
            raise SpecError(
                f"{self.where(self.root.uri)}: $refs pull in more than {MAX_DOCUMENTS} documents; refusing",
                code="spec.too_large",
            )
        try:
            raw, _ = read_document(uri, self.access)
        except SpecError as exc:
            if exc.code in ("spec.not_found", "spec.unreachable"):
                self.failed.add(uri)
                self.warnings.add(f"missing $ref target: {exc.message}")
                raise Unresolved from None
            raise
        self.total_bytes += len(raw)
        if self.total_bytes > 5 * self.access.max_mb * 1_000_000:
            raise SpecError(
                f"{self.where(self.root.uri)}: documents reached through $refs exceed "
                f"{5 * self.access.max_mb:g} MB in all; refusing",
                code="spec.too_large",
            )
        document = Document(uri, parse_document(raw, self.where(uri)), len(raw), hashlib.sha256(raw).hexdigest())
        self.documents[uri] = document
        return document

    def target(self, uri: str, pointer: str, ref: str, base_uri: str) -> Any:
        """The value at ``pointer`` in the document at ``uri``; `Unresolved` with a warning if it is missing."""
        node = self.document(uri).data
        for token in pointer.split("/")[1:] if pointer else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                self.warnings.add(f"{self.where(base_uri)}: missing $ref target {ref!r}")
                raise Unresolved
        return node

    def deref(self, node: Any, base_uri: str) -> tuple[Any, str]:
        """Follow a chain of ``$ref`` objects to a concrete value; returns it and the URI it lives in."""
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(node, dict) and "$ref" in node):
                return node, base_uri
            ref = node["$ref"]
            uri, pointer = self.locate(ref, base_uri)
            node = self.target(uri, pointer, ref, base_uri)
            base_uri = uri
        self.warnings.add(f"{self.where(base_uri)}: $ref chain longer than {MAX_REF_HOPS} hops (a ref cycle?)")
        raise Unresolved

    def where(self, uri: str) -> str:
        """A short name for a document in messages: its path relative to the root's folder, or its URL."""
        if urlparse(uri).scheme == "file" and urlparse(self.root.uri).scheme == "file":
            path = uri_path(uri)
            root_folder = uri_path(self.root.uri).parent
            try:
                return str(path.relative_to(root_folder)) if uri != self.root.uri else path.name
            except ValueError:
                return str(path)
        return uri
