"""Headless Debian Chromium for browser tests: one run per page (`--dump-dom`, `--screenshot`) with a virtual time
budget, so a page's scripts and fetches settle before the DOM is written. `.ci/run` installs the package.

`OFFLINE` takes the network away for real: every request goes to a proxy on the discard port (nothing listens
there), only 127.0.0.1 is exempt, and every other host name resolves to nothing, so a CDN fetch fails at once.
(Not `--proxy-bypass-list=<-loopback>`: that removes the loopback exemption and sends 127.0.0.1 to the dead proxy.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=30000",
    "--window-size=1600,1000",
]
OFFLINE = [
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Chromium with `FLAGS`, a fresh ``profile`` folder and ``args``; a missing Chromium fails the test."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("Debian chromium is not installed (.ci/run installs it)")
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
