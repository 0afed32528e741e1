"""CSV: one row per incident, the model's fields as columns, safe to open in a spreadsheet.

`places` are joined with "; "; `points` holds each place's "lon lat" in the same order (empty
where not located); `longitude`/`latitude` repeat the first located point for spreadsheet users.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO, Iterable

from geo.formats import FormatError, ReadResult, Reject, read_text
from geo.model import COUNT_FIELDS, FIELDS, Incident, ValidationError

COLUMNS = (*FIELDS, "points", "longitude", "latitude")
NUMERIC = {*COUNT_FIELDS, "geo_precision", "longitude", "latitude"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unsafe_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in _FORMULA_START and value[1:2] else value


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
    buffer = io.StringIO()
    write_csv(incidents, buffer)
    return buffer.getvalue()


def write_csv(incidents: Iterable[Incident], out: str | Path | IO[str]) -> None:
    if not hasattr(out, "write"):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            return write_csv(incidents, handle)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for inc in incidents:
        writer.writerow(to_row(inc))


def loads(text: str) -> ReadResult:
    """Incidents from CSV text with the project's columns; bad rows become rejects with their line."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "date" not in reader.fieldnames:
        raise FormatError("not a Strike Atlas CSV: no 'date' column in the header")
    result = ReadResult()
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.rejects.append(Reject(reader.line_num, f"line {reader.line_num}: {exc}"))
            continue
        line = reader.line_num
        if None in raw:  # DictReader files surplus cells under None
            result.rejects.append(Reject(line, f"line {line}: {len(raw[None])} more cell(s) than the "
                                         "header has columns (a comma inside an unquoted cell?)",
                                         {k: v for k, v in raw.items() if k is not None}))
            continue
        try:
            if _add_event_records(result, raw):
                continue
            result.incidents.append(from_row(raw))
        except (ValidationError, ValueError) as exc:
            result.rejects.append(Reject(line, f"line {line}: {exc}", dict(raw)))
    return result


def from_row(raw: dict[str, str | None]) -> Incident:
    values = {k: _unsafe_cell(v) if isinstance(v, str) else v for k, v in raw.items() if k}
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
            raise ValidationError("points", f"{part.strip()!r} is not 'longitude latitude'") from None
        points.append((lon, lat))
    return points


def read_csv(path: str | Path) -> ReadResult:
    return loads(read_text(path))


def _add_event_records(result: ReadResult, raw: dict) -> bool:
    """A row of exported events (a `sources` column listing its records): those records."""
    from geo.events_io import records_of_event
    if not raw.get("sources"):
        return False
    records = records_of_event(raw.get("id") or "", raw["sources"])
    if records is None:
        return False
    result.incidents.extend(records)
    result.events[raw.get("id") or records[0].id] = [r.id for r in records]
    return True
