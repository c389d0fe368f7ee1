"""Stopping what a test started, reliably on a loaded 2-core machine: the whole process group, then a wait."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop(process: subprocess.Popen, *, hard: bool = False, grace: float = 10) -> None:
    """SIGTERM (or SIGKILL) ``process``'s group (started with ``start_new_session=True``), wait up to ``grace``
    seconds, then SIGKILL the group and wait until the process is reaped (no ResourceWarning, nothing left)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL if hard else signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with contextlib.suppress(ProcessLookupError):  # children that outlived the group's leader
        os.killpg(process.pid, signal.SIGKILL)
