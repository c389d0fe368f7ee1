"""Value conversions behind the seed's transformation types. Each raises ValueError with a readable message.

They sit in the inner loop of every sync, so the common case of each is a few C-level calls: dates are converted
with calendar arithmetic on ``date.fromordinal`` rather than through time zones.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

BOOL_WORDS = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "on": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
    "off": False,
    "": False,
}
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_from_ordinal = date.fromordinal
_from_iso = datetime.fromisoformat
_HOURS = tuple(f"T{h:02d}:" for h in range(24))
_MINUTES_SECONDS = tuple(f"{m:02d}:{sec:02d}Z" for m in range(60) for sec in range(60))


def parse_int(value: Any) -> int:
    cls = value.__class__
    if cls is int:
        return value
    if cls is str:
        text = value.strip()
        try:
            if "." in text or "e" in text or "E" in text:
                return parse_int(float(text))
            return int(text)
        except ValueError:
            raise ValueError(f"cannot read {value!r} as an integer") from None
    if cls is float:
        if value.is_integer():
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if cls is bool:
        raise ValueError(f"cannot read boolean {value!r} as an integer")
    raise ValueError(f"cannot read {type(value).__name__} as an integer")


def parse_float(value: Any) -> float:
    cls = value.__class__
    if cls is float or cls is int:
        return float(value)
    if cls is str:
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"cannot read {value!r} as a number") from None
    if cls is bool:
        raise ValueError(f"cannot read boolean {value!r} as a number")
    raise ValueError(f"cannot read {type(value).__name__} as a number")


def stringify(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        return value
    if cls is bool:
        return "true" if value else "false"
    if cls is int or cls is float:
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_bool(value: Any) -> bool:
    cls = value.__class__
    if cls is bool:
        return value
    if cls is str:
        found = BOOL_WORDS.get(value.strip().lower())
        if found is not None:
            return found
    elif cls is int and value in (0, 1):
        return bool(value)
    raise ValueError(f"cannot read {value!r} as a boolean")


def iso_to_unix(value: Any) -> int:
    """ISO 8601 date-time (or date) -> Unix seconds; naive times are UTC."""
    cls = value.__class__
    if cls is int:
        return value
    if cls is not str:
        raise ValueError(f"cannot read {type(value).__name__} as a date-time")
    try:
        moment = _from_iso(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    seconds = (moment.toordinal() - _EPOCH_ORDINAL) * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second
    offset = moment.utcoffset()
    return seconds - int(offset.total_seconds()) if offset else seconds


def unix_to_iso(value: Any) -> str:
    """Unix seconds -> ISO 8601 UTC date-time (``2026-01-01T00:00:00Z``)."""
    cls = value.__class__
    if cls is str:
        text = value.strip()
        if text.lstrip("-").isdigit():
            return unix_to_iso(int(text))
        iso_to_unix(text)  # already a date-time: keep it if it parses
        return text
    if cls is float and not value.is_integer():
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{value!r} is out of range for a date") from None
    if cls is not int and cls is not float:
        raise ValueError(f"cannot read {value!r} as Unix seconds")
    days, rest = divmod(int(value), 86400)
    try:
        day = _from_ordinal(_EPOCH_ORDINAL + days).isoformat()
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} is out of range for a date") from None
    return day + _HOURS[rest // 3600] + _MINUTES_SECONDS[rest % 3600]


CONVERTERS = {
    "parse_int": parse_int,
    "parse_float": parse_float,
    "stringify": stringify,
    "parse_bool": parse_bool,
    "iso_to_unix": iso_to_unix,
    "unix_to_iso": unix_to_iso,
}
