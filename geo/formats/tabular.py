"""Shared plumbing for dataset tables (ACLED, UCDP, any CSV or GeoPackage layer): stream the rows,
turn each into an incident with its line number, and the lookups rows share (dates, provinces).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from geo import provinces
from geo.formats import NOT_UTF8, FormatError, IncidentStream, ReadResult, Reject, broken_text, count_lines, open_text
from geo.model import ValidationError, _to_float, _to_int, clean_text

Progress = Callable[[int, int], None]  # (rows done, rows in total)
RowMapper = Callable[[dict[str, str]], Any]  # a row → Incident (raises ValidationError/ValueError)

PROGRESS_EVERY = 10_000


def iter_csv_dataset(path: str | Path, signature: frozenset[str], what: str, mapper: RowMapper
                     ) -> IncidentStream:
    """Stream a dataset CSV whose header must hold `signature`, mapping each row with `mapper`.

    The header is checked at once (FormatError); rows are read, mapped and rejected one by one
    as the stream is consumed, each with the line it starts on."""
    handle = open_text(path)
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise FormatError(f"{path} is empty: no header row") from None
    except csv.Error as exc:
        handle.close()
        raise FormatError(f"{path} is not a readable CSV ({exc}); save it again as CSV") from None
    columns = [c.strip().lower() for c in header]
    missing = sorted(signature - set(columns))
    if missing:
        handle.close()
        raise FormatError(f"{path} is not {what}: missing column(s) " + ", ".join(missing))
    stream = IncidentStream(total=max(count_lines(path) - 1, 0))
    return stream.feed(_csv_rows(handle, reader, columns, mapper, stream))


def csv_records(reader: Any, stream: IncidentStream) -> Iterator[tuple[int, Any]]:
    """(first line, row) of each record a csv reader gives; a record it cannot read is a reject
    with its line, and the reading goes on."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            stream.read += 1
            stream.rejects.append(Reject(start, f"line {start}: not a readable CSV row ({exc})"))
            continue
        yield start, row


def _csv_rows(handle, reader, columns: list[str], mapper: RowMapper,
              stream: IncidentStream) -> Iterator[Any]:
    width = len(columns)
    rejects = stream.rejects
    with handle:
        for start, cells in csv_records(reader, stream):
            if not cells:
                continue
            stream.read += 1
            if len(cells) > width:
                rejects.append(Reject(start, f"line {start}: {len(cells)} cells for "
                                             f"{width} columns (a stray comma or quote?)",
                                      _named(columns, cells)))
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            row = dict(zip(columns, cells))
            if broken_text(cells):
                rejects.append(Reject(start, f"line {start}: {NOT_UTF8}", row))
                continue
            try:
                yield mapper(row)
            except ValidationError as exc:
                rejects.append(Reject(start, f"line {start}: {exc}", row))
            except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
                rejects.append(Reject(start, f"line {start}: {unexpected(exc)}", row))


def _named(columns: list[str], cells: list[str]) -> dict[str, str]:
    extra = [f"extra_{i + 1}" for i in range(len(cells) - len(columns))]
    return dict(zip([*columns, *extra], cells))


def read_csv_dataset(path: str | Path, signature: frozenset[str], what: str, mapper: RowMapper,
                     progress: Progress | None = None) -> ReadResult:
    """Read a dataset CSV whose header must hold `signature` into lists (see iter_csv_dataset)."""
    return collect(iter_csv_dataset(path, signature, what, mapper), progress)


def collect(stream: IncidentStream, progress: Progress | None = None) -> ReadResult:
    """A stream's incidents and rejects in lists, with progress every PROGRESS_EVERY rows."""
    incidents: list[Any] = []
    total = stream.total or 0
    for incident in stream:
        incidents.append(incident)
        if progress is not None and len(incidents) % PROGRESS_EVERY == 0:
            progress(stream.read, max(total, stream.read))
    if progress is not None:
        progress(stream.read, stream.read)
    return ReadResult(incidents, sorted(stream.rejects, key=lambda r: r.line))


def map_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], mapper: RowMapper,
             total: int | None = None, stream: IncidentStream | None = None,
             first_line: int = 2) -> IncidentStream:
    """Map each row to an incident as the stream is read; a row that fails becomes a Reject with
    its line (`first_line` is the line of the first row) and reason."""
    stream = stream or IncidentStream(total=total)
    return stream.feed(_mapped(list(columns), rows, mapper, stream, first_line))


def _mapped(keys: list[str], rows: Iterable[Sequence[Any]], mapper: RowMapper,
            stream: IncidentStream, first_line: int) -> Iterator[Any]:
    for index, values in enumerate(rows):
        stream.read += 1
        row = dict(zip(keys, values))
        line = first_line + index
        try:
            yield mapper(row)
        except ValidationError as exc:
            stream.rejects.append(Reject(line, f"line {line}: {exc}", row))
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            stream.rejects.append(Reject(line, f"line {line}: {unexpected(exc)}", row))


def unexpected(exc: Exception) -> str:
    """A reason for a row that failed outside the model's checks (a bug, or a value of a kind no
    check foresaw): said in words, the Python error kept in brackets for a bug report."""
    return ("this row could not be read as an incident: a cell holds a value of an unexpected "
            f"kind (please report it: {type(exc).__name__})")


def count(name: str, text: str | None) -> int | None:
    """A cell holding a whole number ("" → None); anything else goes to the model's own reading,
    whose reasons name `name`. The bounds are checked when the incident is built."""
    if not text:
        return None
    if text.isdigit() and text.isascii() and len(text) < 10:
        return int(text)
    return _to_int(name, text)


def coordinate(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return _to_float(name, text)  # its reason, in words


def text(value: str | None) -> str | None:
    """A text cell, trimmed and cleaned (NUL, lone surrogates); None when empty."""
    if not value:
        return None
    value = value.strip()
    return (value if value.isascii() and "\x00" not in value else clean_text(value)) or None


def point(row: dict[str, str], lon_column: str = "longitude", lat_column: str = "latitude"
          ) -> tuple[float, float] | None:
    lon, lat = (row.get(lon_column) or "").strip(), (row.get(lat_column) or "").strip()
    if not lon or not lat:
        return None
    return coordinate("longitude", lon), coordinate("latitude", lat)


def require(row: dict[str, str], name: str) -> str:
    """A cell that must not be empty; its absence names the column."""
    value = (row.get(name) or "").strip()
    if not value:
        raise ValidationError(name, "is empty; every row needs this column filled in")
    return value


@lru_cache(maxsize=4096)
def parse_day(text: str, column: str = "date") -> str:
    """"2017-08-17", "2017-08-17 00:00:00.000", "17 August 2017" or "17 Aug 2017" → "2017-08-17"."""
    value = text.strip()
    if len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    for pattern in ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(column, f"{text!r} is not a date like 2017-08-17 or 17 August 2017")


@lru_cache(maxsize=1024)
def province_for(country: str, admin1: str) -> str | None:
    """The canonical governorate for a Syrian admin1 spelling; other countries keep their own name.

    An unknown Syrian spelling gives None, so point-in-polygon can still place the incident.
    """
    admin1 = admin1.strip()
    if not admin1:
        return None
    if country == "SY":
        return provinces.normalise(admin1)
    return admin1

