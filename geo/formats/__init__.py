"""Reading and writing incident files, one module per format (geojson, csv, …).

Readers return a `ReadResult`: the incidents that validated and, for each row that did not, its
line (or feature number) and the reason, so good rows load and bad ones are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


class FormatError(ValueError):
    """The file cannot be read at all (not this format, not text, broken JSON…)."""
