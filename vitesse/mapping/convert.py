"""Value conversions behind the seed's transformation types. Each raises ValueError with a readable message."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off", ""}


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"cannot read boolean {value!r} as an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"cannot read {value!r} as an integer") from None
            return parse_int(number)
    raise ValueError(f"cannot read {type(value).__name__} as an integer")


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"cannot read boolean {value!r} as a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError(f"cannot read {value!r} as a number") from None
    raise ValueError(f"cannot read {type(value).__name__} as a number")


def stringify(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"cannot read {value!r} as a boolean")


def iso_to_unix(value: Any) -> int:
    """ISO 8601 date-time (or date) -> Unix seconds; naive times are UTC."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError(f"cannot read {type(value).__name__} as a date-time")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if isinstance(moment, date) and not isinstance(moment, datetime):  # pragma: no cover - fromisoformat gives datetime
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def unix_to_iso(value: Any) -> str:
    """Unix seconds -> ISO 8601 UTC date-time (``2026-01-01T00:00:00Z``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            value = int(text)
        else:
            iso_to_unix(text)  # already a date-time: keep it if it parses
            return text
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"cannot read {value!r} as Unix seconds")
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{value!r} is out of range for a date") from None
    return moment.isoformat().replace("+00:00", "Z")


CONVERTERS = {
    "parse_int": parse_int,
    "parse_float": parse_float,
    "stringify": stringify,
    "parse_bool": parse_bool,
    "iso_to_unix": iso_to_unix,
    "unix_to_iso": unix_to_iso,
}
