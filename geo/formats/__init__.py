"""Reading and writing incident files, one module per format (geojson, csv, …).

Readers return a `ReadResult`: the incidents that validated and, for each row that did not, its
line (or feature number) and the reason, so good rows load and bad ones are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from geo.model import Incident


@dataclass
class Reject:
    """A row that could not become an incident."""

    line: int  # 1-based line in the file (CSV: the header is line 1), or feature number
    reason: str
    raw: dict | None = None


@dataclass
class ReadResult:
    incidents: list[Incident] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    # A file of exported events (geo.events_io): event id → its records' ids, to restore the events.
    events: dict[str, list[str]] = field(default_factory=dict)


class FormatError(ValueError):
    """The file cannot be read at all (not this format, not text, broken JSON…)."""


def read_text(path: str | Path) -> str:
    """A dataset file's text: UTF-8, a byte-order mark (as Windows tools write) dropped."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text; save it as UTF-8 and retry") from None
