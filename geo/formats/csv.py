"""CSV: one row per incident, the model's fields as columns, safe to open in a spreadsheet.

`places` are joined with "; "; `points` holds each place's "lon lat" in the same order (empty
where not located); `longitude`/`latitude` repeat the first located point for spreadsheet users.
Rows end in CRLF (RFC 4180), so a cell holding a CR or LF is always quoted; every CSV the atlas
writes (exports, rejects files) goes through `writer` and `safe_cell`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from geo.formats import NOT_UTF8, FormatError, IncidentStream, ReadResult, Reject, broken_text, count_lines, open_text
from geo.formats.tabular import csv_records
from geo.model import COUNT_FIELDS, FIELDS, Incident, ValidationError

COLUMNS = (*FIELDS, "points", "longitude", "latitude")
NUMERIC = {*COUNT_FIELDS, "geo_precision", "longitude", "latitude"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula character at the start of any line of a cell (a spreadsheet may split a cell there).
_FORMULA_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t])")
_NEUTRALISED_AFTER_BREAK = re.compile(r"([\r\n])'(?=[=+\-@\t])")


def safe_cell(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR), at its
    start and after every line break inside it."""
    if "\n" in value or "\r" in value:
        value = _FORMULA_AFTER_BREAK.sub(r"\1'", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unsafe_cell(value: str) -> str:
    if "\n" in value or "\r" in value:
        value = _NEUTRALISED_AFTER_BREAK.sub(r"\1", value)
    return value[1:] if value.startswith("'") and value[1:2] in _FORMULA_START and value[1:2] else value


def writer(out: IO[str]):
    """The csv writer every CSV of the atlas uses: CRLF row ends, so CR and LF in cells are quoted."""
    return csv.writer(out, lineterminator="\r\n")


def to_row(inc: Incident) -> dict[str, str]:
    located = inc.located
    row: dict[str, object] = inc.properties()
    row["places"] = "; ".join(inc.places)
    row["points"] = "; ".join(f"{p[0]:.6f} {p[1]:.6f}" if p else "" for p in inc.points)
    row["longitude"] = f"{located[0][1][0]:.6f}" if located else ""
    row["latitude"] = f"{located[0][1][1]:.6f}" if located else ""
    row["cumulative"] = "true" if inc.cumulative else "false"
    out = {}
    for name in COLUMNS:
        value = row.get(name)
        text = "" if value is None else str(value)
        out[name] = text if name in NUMERIC else safe_cell(text)
    return out


def dumps(incidents: Iterable[Incident]) -> str:
    buffer = io.StringIO(newline="")
    write_csv(incidents, buffer)
    return buffer.getvalue()


def write_csv(incidents: Iterable[Incident], out: str | Path | IO[str],
              extra: Callable[[Incident], dict[str, Any]] | None = None) -> int:
    """Write the incidents as they come (any number, in constant memory); returns how many.
    `extra` gives more columns per incident (an exported event's grade and sources: lists and
    objects as JSON), after the project's own."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            return write_csv(incidents, handle, extra)
    rows = writer(out)
    header: list[str] | None = None
    count = 0
    for inc in incidents:
        cells = to_row(inc)
        more = extra(inc) if extra is not None else {}
        if header is None:
            header = [*COLUMNS, *more]
            rows.writerow(header)
        rows.writerow([cells[name] for name in COLUMNS] + [_extra_cell(v) for v in more.values()])
        count += 1
    if header is None:
        rows.writerow(COLUMNS)
    return count


def _extra_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return safe_cell(json.dumps(value, ensure_ascii=False))
    return safe_cell(str(value))


def write_csv_bytes(incidents: Iterable[Incident], out: IO[bytes],
                    extra: Callable[[Incident], dict[str, Any]] | None = None) -> int:
    """`write_csv` into a binary file (UTF-8); returns how many incidents were written."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        return write_csv(incidents, text, extra)
    finally:
        text.flush()
        text.detach()


def loads(text: str) -> ReadResult:
    """Incidents from CSV text with the project's columns; bad rows become rejects with their line."""
    stream = _stream(io.StringIO(text, newline=""), None)
    return stream.collect()


def iter_csv(path: str | Path) -> IncidentStream:
    """Incidents from the atlas's CSV file, streamed as it is read (FormatError at once if its
    header is not ours)."""
    return _stream(open_text(path), path)


def _stream(handle: IO[str], path: str | Path | None) -> IncidentStream:
    reader = csv.DictReader(handle)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        handle.close()
        raise FormatError(f"not a readable CSV ({exc}); save it again as CSV") from None
    if not fieldnames or "date" not in fieldnames:
        handle.close()
        raise FormatError("not a Strike Atlas CSV: no 'date' column in the header")
    stream = IncidentStream(total=max(count_lines(path) - 1, 0) if path is not None else None)
    return stream.feed(_rows(handle, reader, stream))


def _rows(handle: IO[str], reader: csv.DictReader, stream: IncidentStream) -> Iterator[Incident]:
    rejects = stream.rejects
    with handle:
        for start, raw in csv_records(reader, stream):
            stream.read += 1
            if None in raw:  # DictReader files surplus cells under None
                rejects.append(Reject(start, f"line {start}: {len(raw[None])} more cell(s) than the "
                                      "header has columns (a comma inside an unquoted cell?)",
                                      {k: v for k, v in raw.items() if k is not None}))
                continue
            if broken_text(v for v in raw.values() if isinstance(v, str)):
                rejects.append(Reject(start, f"line {start}: {NOT_UTF8}", dict(raw)))
                continue
            try:
                records = _event_records(stream, raw)
                if records is not None:
                    yield from records
                    continue
                yield from_row(raw)
            except ValidationError as exc:
                rejects.append(Reject(start, f"line {start}: {exc}", dict(raw)))
            except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
                from geo.formats.tabular import unexpected
                rejects.append(Reject(start, f"line {start}: {unexpected(exc)}", dict(raw)))


def from_row(raw: dict[str, str | None]) -> Incident:
    values: dict[str, Any] = {k: _unsafe_cell(v) if isinstance(v, str) else v
                              for k, v in raw.items() if k}
    places = [p.strip() for p in (values.get("places") or "").split(";") if p.strip()]
    values["places"] = places
    points_text = values.pop("points", None)
    if points_text:
        values["points"] = (_parse_points(points_text) + [None] * len(places))[:len(places)]
    return Incident.from_dict(values)


def _parse_points(text: str) -> list[tuple[float, float] | None]:
    """"lon lat; ; lon lat" → points, None where a place has none."""
    points: list[tuple[float, float] | None] = []
    for part in text.split(";"):
        numbers = part.split()
        if not numbers:
            points.append(None)
            continue
        try:
            lon, lat = (float(n) for n in numbers)
        except ValueError:
            raise ValidationError("points", f"{part.strip()[:60]!r} is not 'longitude latitude' "
                                  "(two numbers, places separated by ';')") from None
        points.append((lon, lat))
    return points


def read_csv(path: str | Path) -> ReadResult:
    return iter_csv(path).collect()


def _event_records(stream: IncidentStream, raw: dict) -> list[Incident] | None:
    """A row of exported events (a `sources` column listing its records): those records, noted as
    one event."""
    if not raw.get("sources"):
        return None
    from geo.formats.events import records_of_event
    records = records_of_event(raw.get("id") or "", raw["sources"])
    if records is not None:
        stream.events[raw.get("id") or records[0].id] = [r.id for r in records]
    return records

