"""The host check sees an address through every spelling and IPv6 embedding: link-local is always refused, private
and loopback only without ``private_hosts``; the manifest's URL check refuses the legacy IPv4 spellings."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from tests.unit.ingest.test_fetch import fake_dns
from tests.unit.ingest.test_refs import write_spec
from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.ingest.fetch import check_public_host
from vitesse.manifest.models import SpecAccess, check_http_url

# (URL host, what it is, the address it names or None for a DNS name, a legacy IPv4 spelling?)
HOSTS = [
    ("169.254.169.254", "link-local", "169.254.169.254", False),
    ("2852039166", "link-local", "169.254.169.254", True),  # decimal
    ("0251.0376.0251.0376", "link-local", "169.254.169.254", True),  # octal
    ("0xa9fea9fe", "link-local", "169.254.169.254", True),  # hex
    ("0xA9.0xFE.0xa9.0xfe", "link-local", "169.254.169.254", True),  # hex parts
    ("169.254.43518", "link-local", "169.254.169.254", True),  # a.b.c, c 16 bits
    ("169.16689662", "link-local", "169.254.169.254", True),  # a.b, b 24 bits
    ("169.254.169.254.", "link-local", "169.254.169.254", True),  # trailing dot
    ("[::ffff:169.254.169.254]", "link-local", "::ffff:a9fe:a9fe", False),  # IPv4-mapped
    ("[::ffff:a9fe:a9fe]", "link-local", "::ffff:a9fe:a9fe", False),
    ("[::ffff:0:a9fe:a9fe]", "link-local", "::ffff:0:a9fe:a9fe", False),  # IPv4-translated
    ("[::169.254.169.254]", "link-local", "::a9fe:a9fe", False),  # IPv4-compatible
    ("[2002:a9fe:a9fe::]", "link-local", "2002:a9fe:a9fe::", False),  # 6to4
    ("[2002:a9fe:a9fe:1::1]", "link-local", "2002:a9fe:a9fe:1::1", False),
    ("[2001:0:a9fe:a9fe::1]", "link-local", "2001:0:a9fe:a9fe::1", False),  # Teredo server
    ("[2001:0:4136:e378:8000:63bf:5601:5601]", "link-local", "2001:0:4136:e378:8000:63bf:5601:5601", False),  # client
    ("[64:ff9b::a9fe:a9fe]", "link-local", "64:ff9b::a9fe:a9fe", False),  # NAT64
    ("[64:ff9b::169.254.169.254]", "link-local", "64:ff9b::a9fe:a9fe", False),
    ("[fe80::1]", "link-local", "fe80::1", False),
    ("[fe80::a9fe:a9fe]", "link-local", "fe80::a9fe:a9fe", False),
    ("127.0.0.1", "private", "127.0.0.1", False),
    ("127.1", "private", "127.0.0.1", True),
    ("2130706433", "private", "127.0.0.1", True),
    ("0x7f000001", "private", "127.0.0.1", True),
    ("017700000001", "private", "127.0.0.1", True),
    ("0177.0.0.1", "private", "127.0.0.1", True),
    ("0", "private", "0.0.0.0", True),
    ("012.0.0.8", "private", "10.0.0.8", True),
    ("0300.0250.1.1", "private", "192.168.1.1", True),
    ("100.64.0.1", "private", "100.64.0.1", False),
    ("[::1]", "private", "::1", False),
    ("[::]", "private", "::", False),
    ("[::ffff:127.0.0.1]", "private", "::ffff:7f00:1", False),
    ("[::ffff:7f00:1]", "private", "::ffff:7f00:1", False),
    ("[::127.0.0.1]", "private", "::7f00:1", False),
    ("[::ffff:10.0.0.8]", "private", "::ffff:a00:8", False),
    ("[2002:7f00:1::]", "private", "2002:7f00:1::", False),
    ("[2002:c0a8:101::]", "private", "2002:c0a8:101::", False),
    ("[64:ff9b::7f00:1]", "private", "64:ff9b::7f00:1", False),
    ("[64:ff9b:1::808:808]", "private", "64:ff9b:1::808:808", False),  # local-use NAT64
    ("[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "private", "2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
    ("[fc00::1]", "private", "fc00::1", False),
    ("localhost", "private", None, False),
    ("api.localhost", "private", None, False),
    ("8.8.8.8", "public", "8.8.8.8", False),
    ("134744072", "public", "8.8.8.8", True),
    ("010.0.0.1", "public", "8.0.0.1", True),  # octal, as every resolver reads it
    ("[2606:4700::1111]", "public", "2606:4700::1111", False),
    ("[::ffff:8.8.8.8]", "public", "::ffff:808:808", False),
    ("[2002:808:808::]", "public", "2002:808:808::", False),
    ("[64:ff9b::8.8.8.8]", "public", "64:ff9b::808:808", False),
]
IDS = [host for host, *_ in HOSTS]
NOT_PUBLIC = [h for h in HOSTS if h[1] != "public"]
OPEN = SpecAccess(remote_refs=True, private_hosts=True)


@pytest.fixture
def no_dns_for_addresses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``localhost`` names resolve to 127.0.0.1; any other lookup fails the test (an address is never looked up)."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        asked.append(host)
        assert host.endswith("localhost"), f"{host!r} names an address: it must not be looked up"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(("host", "kind", "address", "legacy"), HOSTS, ids=IDS)
def test_the_fetch_check_refuses_every_spelling(
    no_dns_for_addresses: list[str], host: str, kind: str, address: str | None, legacy: bool
) -> None:
    url = f"http://{host}:8080/openapi.yaml"
    for access in (SpecAccess(), SpecAccess(private_hosts=True)):
        refused = kind == "link-local" or (kind == "private" and not access.private_hosts)
        if not refused:
            assert check_public_host(url, access) == (address or "127.0.0.1")  # the address connected to
            continue
        expected = "link-local address" if kind == "link-local" else "private or loopback address"
        with pytest.raises(SpecError, match=expected) as caught:
            check_public_host(url, access)
        assert caught.value.code == "spec.private_address"
        if address is not None and kind == "link-local":
            assert "169.254.169.254" in caught.value.message or "fe80::" in caught.value.message


@pytest.mark.parametrize(("host", "kind", "address", "legacy"), HOSTS, ids=IDS)
def test_the_manifest_url_check_refuses_legacy_ipv4_spellings(
    host: str, kind: str, address: str | None, legacy: bool
) -> None:
    url = f"https://{host}/v1"
    if legacy:
        with pytest.raises(ValueError, match=rf"is the IPv4 address {address} in a legacy spelling; write {address}"):
            check_http_url(url)
    else:  # which addresses may be fetched is the fetch check's call (it knows spec_access)
        assert check_http_url(url) == url


@pytest.mark.parametrize(("host", "kind", "address", "legacy"), NOT_PUBLIC, ids=[h[0] for h in NOT_PUBLIC])
def test_refs_to_every_spelling_are_refused(
    tmp_path: Path, no_dns_for_addresses: list[str], host: str, kind: str, address: str | None, legacy: bool
) -> None:
    path = write_spec(tmp_path, {"$ref": f"http://{host}/x.yaml"})
    access = OPEN if kind == "link-local" else SpecAccess(remote_refs=True)
    with pytest.raises(SpecError, match="link-local address" if kind == "link-local" else "private or loopback"):
        ingest_spec(str(path), access=access)


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("fe80::1%1", "link-local"),
        ("::ffff:127.0.0.1", "private"),
        ("::127.0.0.1", "private"),
        ("2002:7f00:1::", "private"),
        ("10.1.2.3", "private"),
    ],
)
def test_resolved_addresses_are_judged_the_same_way(monkeypatch: pytest.MonkeyPatch, answer: str, kind: str) -> None:
    fake_dns(monkeypatch, {"specs.example.com": [answer]})
    url = "https://specs.example.com/openapi.yaml"
    with pytest.raises(SpecError, match="link-local address" if kind == "link-local" else "non-public address"):
        check_public_host(url, OPEN if kind == "link-local" else SpecAccess())
    if kind == "private":
        assert check_public_host(url, OPEN) == str(ipaddress.ip_address(answer))


def test_the_message_names_the_embedded_address() -> None:
    with pytest.raises(SpecError) as caught:
        check_public_host("http://[::ffff:a9fe:a9fe]/x", OPEN)
    assert "link-local address 169.254.169.254 (written ::ffff:a9fe:a9fe)" in caught.value.message
