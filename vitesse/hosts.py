"""Which IP address a URL host names, seen through every spelling and embedding, and how public it is.

Resolvers read more IPv4 spellings than `ipaddress` does (``inet_aton``: ``2852039166``, ``0xa9fea9fe``,
``0251.0376.0251.0376``, ``169.254.43518``, ``127.1``), and an IPv6 address can carry an IPv4 one that the connection
ends up reaching (``::ffff:169.254.169.254``, ``::169.254.169.254``, 6to4 ``2002:a9fe:a9fe::``, Teredo, NAT64
``64:ff9b::a9fe:a9fe``). `address_kind` judges an address by itself and every IPv4 address it embeds, so a host
check cannot be passed by writing the same address another way. Used by the manifest's URL check and by ingest's
fetch policy alike (which is why it sits below both).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Kind = Literal["link-local", "private", "public"]

_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use, never global
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 (SIIT)


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``host`` spells the way ``inet_aton`` reads it (1 to 4 parts, each decimal, ``0x`` hex or
    ``0`` octal, the last filling the remaining bytes; one trailing dot allowed, as the WHATWG URL standard does),
    or None. Dotted decimal is one such spelling."""
    parts = host.removesuffix(".").split(".") if host else []
    if not 1 <= len(parts) <= 4 or not all(_PART.match(p) for p in parts):
        return None
    numbers = [int(p, 16) if p[:2].lower() == "0x" else int(p, 8) if p.startswith("0") else int(p) for p in parts]
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(leading):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def host_address(host: str) -> IPAddress | None:
    """The IP address a URL host names (``[...]`` brackets and IPv6 zone ids allowed, IPv4 in any `legacy_ipv4`
    spelling), or None when it is a DNS name."""
    host = host.strip().removeprefix("[").removesuffix("]")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return legacy_ipv4(host)


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a connection to ``address`` may reach: the address itself if IPv4, else the IPv4 it embeds
    as IPv4-mapped (``::ffff:a.b.c.d``), IPv4-translated (``::ffff:0:a.b.c.d``), IPv4-compatible (``::a.b.c.d``),
    6to4 (``2002:AABB:CCDD::``), Teredo (server and client) or NAT64 (``64:ff9b::a.b.c.d``)."""
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE or address in _IPV4_TRANSLATED or any(address in net for net in _NAT64):
        found.append(low32)
    return found


def address_kind(address: IPAddress) -> tuple[Kind, IPAddress]:
    """``link-local`` (169.254.0.0/16, fe80::/10: cloud metadata lives there) if the address or any IPv4 address it
    embeds is link-local, else ``private`` if any of them is not global (loopback, private, reserved, shared, ...),
    else ``public``; with the address that decided it (the embedded IPv4 one, or ``address`` itself)."""
    candidates: list[IPAddress] = [address, *embedded_ipv4(address)]
    for candidate in candidates:
        if candidate.is_link_local:
            return "link-local", candidate
    for candidate in candidates:
        if not candidate.is_global or candidate in _LOCAL_NAT64:
            return "private", candidate
    return "public", address


def describe(decided: IPAddress, written: str) -> str:
    """``169.254.169.254``, or ``169.254.169.254 (written ::ffff:a9fe:a9fe)`` when the host spelled it otherwise."""
    written = written.strip("[]")
    return str(decided) if written == str(decided) else f"{decided} (written {written})"
