"""Request bodies for outgoing calls: form encoding for the APIs that take ``application/x-www-form-urlencoded``."""

from __future__ import annotations

from typing import Any


def form_encode(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested data as ``a[b][0]=c`` form fields (the convention of form-encoded APIs such as Stripe's)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            pairs += form_encode(sub, f"{prefix}[{key}]" if prefix else str(key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            pairs += form_encode(sub, f"{prefix}[{index}]")
    elif value is not None:
        pairs.append((prefix, "true" if value is True else "false" if value is False else str(value)))
    return pairs
