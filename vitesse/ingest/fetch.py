"""Read spec documents from files and URLs, within the limits a `SpecAccess` policy sets.

Local files must stay inside the spec's ref root; URLs must be http(s) and resolve to public addresses unless
``private_hosts`` is set, and never to link-local ones (cloud metadata endpoints and internal services are the classic
SSRF targets). Addresses are judged in every spelling and IPv6 embedding (`vitesse.hosts`). Every read
is size-limited and time-limited; redirects are followed by hand so that each hop is checked too.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import ParseResult, unquote, urljoin, urlparse
from urllib.request import url2pathname

from vitesse.errors import SpecError
from vitesse.hosts import IPAddress, address_kind, describe, host_address
from vitesse.manifest.models import SpecAccess

MAX_REDIRECTS = 5


def to_uri(location: str, base_dir: Path | None = None) -> str:
    """A ``file://`` or ``http(s)://`` URI for a manifest's ``spec`` value (paths are relative to ``base_dir``);
    `SpecError` for a URL that cannot be parsed."""
    if "://" in location:
        _parse_url(location)
        return location
    path = Path(location)
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    return Path(os.path.abspath(path)).as_uri()


def _parse_url(url: str) -> ParseResult:
    try:
        return urlparse(url)
    except ValueError as exc:  # e.g. "http://[::1/x": an unclosed IPv6 bracket
        raise SpecError(f"{url}: not a valid URL ({exc})", code="spec.bad_url") from None


def uri_path(uri: str) -> Path:
    """The local path of a ``file://`` URI."""
    return Path(url2pathname(unquote(urlparse(uri).path)))


def join_uri(base: str, ref: str) -> str:
    """Resolve a relative reference against a document URI (fragment dropped)."""
    return urljoin(base, ref).split("#", 1)[0]


def is_literal_private_host(host: str) -> bool:
    """True for ``localhost`` and for IP literals, in any spelling (`vitesse.hosts`), that are not public or that
    embed an address that is not (no DNS lookup)."""
    name = host.strip("[]").lower().removesuffix(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = host_address(host)
    return address is not None and address_kind(address)[0] != "public"


def is_link_local(host: str) -> bool:
    """True for IP literals, in any spelling, that are or embed a link-local address (169.254.0.0/16, fe80::/10):
    cloud metadata lives there, never a spec."""
    address = host_address(host)
    return address is not None and address_kind(address)[0] == "link-local"


def _check_address(url: str, host: str, address: IPAddress, access: SpecAccess, *, resolved: bool) -> None:
    """Refuse ``address`` (the host itself, or one DNS gave for it): link-local always, private unless allowed."""
    kind, decided = address_kind(address)
    if kind == "link-local":
        shown = describe(decided, str(address) if resolved else host)
        raise SpecError(
            f"{url}: refers to the link-local address {shown}, where cloud metadata services live; refused",
            code="spec.private_address",
        )
    if kind == "private" and not access.private_hosts:
        if resolved:
            message = f"host {host!r} resolves to the non-public address {describe(decided, str(address))}"
        else:
            message = f"refers to a private or loopback address, {describe(decided, host)}"
        raise SpecError(
            f"{url}: {message}; set spec_access.private_hosts: true if you trust it", code="spec.private_address"
        )


def check_public_host(url: str, access: SpecAccess) -> str:
    """Refuse URLs whose host is or resolves to a loopback, private, link-local or reserved address, in any spelling
    or IPv6 embedding (`vitesse.hosts`); return the checked address to connect to (so a second DNS answer cannot
    differ from the one checked: DNS rebinding). A host that spells an IP address is that address, never a name to
    look up."""
    parsed = _parse_url(url)
    if parsed.scheme not in ("http", "https"):
        raise SpecError(f"{url}: unsupported URL scheme {parsed.scheme!r}; use https://", code="spec.bad_url")
    host = parsed.hostname
    if not host:
        raise SpecError(f"{url}: URL has no host", code="spec.bad_url")
    try:
        port = parsed.port
    except ValueError:
        raise SpecError(f"{url}: the port must be a number from 0 to 65535", code="spec.bad_url") from None
    literal = host_address(host)
    if literal is not None:
        _check_address(url, host, literal, access, resolved=False)
        return str(literal)
    if is_literal_private_host(host) and not access.private_hosts:
        raise SpecError(
            f"{url}: refers to a private or loopback address; set spec_access.private_hosts: true if you trust it",
            code="spec.private_address",
        )
    try:
        infos = socket.getaddrinfo(host, port or (443 if parsed.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise SpecError(f"{url}: cannot resolve host {host!r} ({exc.strerror})", code="spec.unreachable") from None
    except ValueError:  # UnicodeError from the IDNA codec: an empty label, or one over 63 characters
        raise SpecError(f"{url}: cannot resolve host {host!r} (not a valid host name)", code="spec.bad_url") from None
    addresses = []
    for info in infos:
        address = host_address(str(info[4][0]))
        if address is None:  # not an IP address: nothing to connect to
            continue
        _check_address(url, host, address, access, resolved=True)
        addresses.append(address)
    if not addresses:
        raise SpecError(f"{url}: host {host!r} resolves to no IP address", code="spec.unreachable")
    return str(addresses[0])


def read_file(uri: str, access: SpecAccess) -> bytes:
    """Read a local document, refusing anything over the size limit."""
    path = uri_path(uri)
    limit = int(access.max_mb * 1_000_000)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SpecError(f"{path}: not a file", code="spec.not_found")
        if size > limit:
            raise SpecError(
                f"{path}: document is {size / 1e6:.1f} MB, over the {access.max_mb:g} MB limit "
                "(raise spec_access.max_mb if it is genuine)",
                code="spec.too_large",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file", code="spec.not_found") from None
    except PermissionError:
        raise SpecError(f"{path}: permission denied", code="spec.not_found") from None
    except OSError as exc:  # e.g. a name too long
        raise SpecError(f"{path}: cannot be read ({exc.strerror})", code="spec.not_found") from None


def read_url(url: str, access: SpecAccess) -> tuple[bytes, str]:
    """GET a document over HTTP(S) with timeouts and a size limit; returns the bytes and the final URL."""
    import httpx  # imported here: local specs (and the Dagster location's load) never pay for it

    limit = int(access.max_mb * 1_000_000)
    timeout = httpx.Timeout(access.timeout_seconds, connect=min(10.0, access.timeout_seconds))
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"Accept": "application/json, */*"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            pinned, pinning = _pinned(current, check_public_host(current, access))
            try:
                with client.stream("GET", pinned, **pinning) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        try:
                            current = urljoin(current, location)
                        except ValueError:
                            raise SpecError(
                                f"{current}: redirects to an invalid URL {location!r}", code="spec.unreachable"
                            ) from None
                        continue
                    if response.status_code != 200:
                        raise SpecError(
                            f"{current}: HTTP {response.status_code} {response.reason_phrase}; check the URL",
                            code="spec.unreachable",
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise _too_large(current, int(declared), access)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > limit:
                            raise _too_large(current, len(body), access)
                    return bytes(body), current
            except httpx.TimeoutException:
                raise SpecError(
                    f"{current}: timed out after {access.timeout_seconds:g} s (spec_access.timeout_seconds)",
                    code="spec.unreachable",
                ) from None
            except httpx.HTTPError as exc:
                raise SpecError(f"{current}: cannot fetch: {exc}", code="spec.unreachable") from None
    raise SpecError(f"{url}: more than {MAX_REDIRECTS} redirects", code="spec.unreachable")


def _pinned(url: str, address: str) -> tuple[str, dict[str, Any]]:
    """``url`` with its host replaced by the checked ``address``, plus the Host header and the TLS server name that
    keep virtual hosting and certificate checks on the original name."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal + (f":{parsed.port}" if parsed.port else "")
    kwargs: dict[str, Any] = {"headers": {"Host": parsed.netloc.rsplit("@", 1)[-1]}}
    if parsed.scheme == "https":
        kwargs["extensions"] = {"sni_hostname": host}
    return parsed._replace(netloc=netloc).geturl(), kwargs


def _too_large(url: str, size: int, access: SpecAccess) -> SpecError:
    return SpecError(
        f"{url}: document is over the {access.max_mb:g} MB limit ({size / 1e6:.1f} MB read); raise "
        "spec_access.max_mb if it is genuine",
        code="spec.too_large",
    )


def read_document(uri: str, access: SpecAccess) -> tuple[bytes, str]:
    """Read the document at ``uri`` (file or URL); returns its bytes and its final URI."""
    scheme = _parse_url(uri).scheme
    if scheme == "file":
        return read_file(uri, access), uri
    if scheme in ("http", "https"):
        return read_url(uri, access)
    raise SpecError(f"{uri}: unsupported location; use a path, file:// or https://", code="spec.bad_url")
