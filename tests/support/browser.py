"""Playwright over Debian's Chromium with the network taken away: only 127.0.0.1 is reachable."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"


def loopback_only(context: Any) -> list[str]:
    """Abort every request of the browser ``context`` to a host other than 127.0.0.1; the returned list collects
    the URLs that were attempted (a test asserts it stays empty)."""
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return outside
