"""Reading and writing incident files, one module per format (geojson, csv, …).

Readers give an `IncidentStream`: the incidents that validated, yielded as the file is read, and
for each row that did not, its line (or feature number) and the reason, so good rows load and bad
ones are reported. `ReadResult` is the same, collected into a list (small files, previews).
"""

from __future__ import annotations

import csv as _csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from geo.model import Incident

# A cell of any length is read (the csv module's default stops at 131,072 characters).
_csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))

_HEAD = 1 << 16  # bytes checked as UTF-8 before a text file is read as a stream


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
    # A file of exported events (geo.formats.events): event id → its records' ids, to restore the events.
    events: dict[str, list[str]] = field(default_factory=dict)


class IncidentStream:
    """Incidents as a file is read; `rejects` fills as the rows are reached.

    `total` is the number of rows expected (from a quick count of lines, features or records), for
    progress; `read` counts the rows reached so far, good or bad.
    """

    def __init__(self, rows: Iterable[Incident] | None = None, total: int | None = None):
        self.rejects: list[Reject] = []
        self.events: dict[str, list[str]] = {}  # exported events read: event id → its records' ids
        self.total = total
        self.read = 0
        self._rows = iter(rows) if rows is not None else iter(())

    def feed(self, rows: Iterable[Incident]) -> "IncidentStream":
        self._rows = iter(rows)
        return self

    def __iter__(self) -> Iterator[Incident]:
        return self._rows

    def collect(self) -> ReadResult:
        """Everything, in lists (for files small enough to hold)."""
        incidents = list(self._rows)
        return ReadResult(incidents, sorted(self.rejects, key=lambda r: r.line), self.events)


class FormatError(ValueError):
    """The file cannot be read at all (not this format, not text, broken JSON…)."""


def read_text(path: str | Path) -> str:
    """A dataset file's text: UTF-8, a byte-order mark (as Windows tools write) dropped; a few
    damaged bytes become U+FFFD (see `mostly_utf8`), a file in another encoding is a FormatError."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if not mostly_utf8(data[:_HEAD]) or data.decode("utf-8", errors="replace").count("\ufffd") * 200 > len(data):
        raise FormatError(f"{path} is not UTF-8 text; save it as UTF-8 and retry")
    return data.decode("utf-8-sig", errors="replace")


def open_text(path: str | Path) -> IO[str]:
    """A text file for a csv reader, read as it goes: its start must be UTF-8 (else FormatError);
    bytes that are not UTF-8 further on arrive as lone surrogates, for `broken_text` to find, so
    that row alone is rejected. Any line ending (LF, CRLF, old Mac CR) is read."""
    with open(path, "rb") as handle:
        head = handle.read(_HEAD)
    if not mostly_utf8(head):
        raise FormatError(f"{path} is not UTF-8 text; save it as UTF-8 and retry")
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def mostly_utf8(head: bytes) -> bool:
    """Whether a file's first bytes are UTF-8 text, but for a few damaged bytes (at most one in
    200: those rows are rejected alone). A file in another encoding has many more."""
    try:
        head.decode("utf-8-sig")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # only a character cut at the boundary
            return True
    bad = head.decode("utf-8", errors="replace").count("\ufffd")
    return bad * 200 <= len(head)


def mostly_binary(head: bytes) -> bool:
    """Whether a file's first bytes are binary (a spreadsheet, UTF-16, an image): NUL bytes in
    more than one byte in 100, or a zip's signature. A stray NUL or two is a damaged row."""
    return head.startswith(b"PK\x03\x04") or head.count(b"\x00") * 100 > len(head)


def broken_text(cells: Iterable[str]) -> bool:
    """Whether a row read by `open_text` holds bytes that were not UTF-8."""
    joined = "".join(cells)  # one test of the row: quicker than one per cell
    if joined.isascii():
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


NOT_UTF8 = "holds bytes that are not UTF-8 text; save the file as UTF-8 and import it again"


def count_lines(path: str | Path) -> int:
    """Line breaks in a file (CR alone counted when it has no LF): a quick total for progress."""
    lf = cr = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lf += block.count(b"\n")
            if not lf:
                cr += block.count(b"\r")
    return lf or cr
