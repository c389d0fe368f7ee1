"""Incremental reads: the high-water mark of ``source.incremental.cursor_field``, kept in the state store.

A sync's first page request sends ``<param>=<mark>``: the mark the last completed sync saved, else ``initial``,
else nothing (read everything). While the sync reads, the largest ``cursor_field`` value (a dotted path) of every
record it reads is tracked: numbers compare as numbers, strings as strings (ISO timestamps compare as text); the
first value's type decides, values of another type are counted as unusable. Records without the field are read and
delivered as usual and counted.

The mark moves only when a sync completes, i.e. every record it read has settled (delivered, skipped or
dead-lettered); a killed or failed sync leaves it where it was. A sync that resumes from its checkpoint keeps the
largest value of the pages read before the interruption (saved as a pending value before each checkpoint), and the
mark never moves backwards.
"""

from __future__ import annotations

from typing import Any

from vitesse.manifest.models import Incremental
from vitesse.params import text
from vitesse.runtime.paginate import dig
from vitesse.runtime.state import StateStore


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "number" if value == value else None  # NaN orders with nothing
    if isinstance(value, str):
        return "string"
    return None


class HighWater:
    """Tracks one sync's largest cursor value and moves the saved mark when the sync completes."""

    def __init__(self, config: Incremental, state: StateStore) -> None:
        self.config = config
        self.state = state
        self.name = f"incremental:{config.param}:{config.cursor_field}"
        self.pending_name = self.name + ":pending"
        self.high: Any = None
        self.kind: str | None = None
        self.saved: Any = None
        self.without_cursor = 0
        self.unusable = 0

    def start(self, *, resumed: bool) -> dict[str, str]:
        """The first page request's parameter (``{since: mark}``, or none); a resumed sync takes its pending value."""
        if resumed:
            self._see(self.state.cursor(self.pending_name))
            self.saved = self.high
        mark = self.state.cursor(self.name)
        if mark is None:
            mark = self.config.initial
        return {} if mark is None else {self.config.param: text(mark)}

    def observe(self, records: list[Any]) -> None:
        field = self.config.cursor_field
        for record in records:
            value = dig(record, field) if isinstance(record, dict) else None
            if value is None:
                self.without_cursor += 1
            elif not self._see(value):
                self.unusable += 1

    def _see(self, value: Any) -> bool:
        kind = _kind(value)
        if kind is None or (self.kind is not None and kind != self.kind):
            return False
        self.kind = kind
        if self.high is None or value > self.high:
            self.high = value
        return True

    def checkpoint(self) -> None:
        """Save the largest value so far (call before saving the checkpoint: a resume must not lose it)."""
        if self.high is not None and self.high != self.saved:
            self.state.save_cursor(self.pending_name, self.high)
            self.saved = self.high

    def complete(self) -> Any:
        """The sync completed: save the new mark (never lower than the saved one of the same type); returns it."""
        mark = self.state.cursor(self.name)
        if self.high is not None and (mark is None or _kind(mark) != self.kind or self.high > mark):
            self.state.save_cursor(self.name, self.high)
            mark = self.high
        if self.saved is not None:
            self.state.save_cursor(self.pending_name, None)
        return mark
