"""UCDP Georeferenced Event Dataset (GED) CSV → incidents.

Mapping: id "ucdp:<id>"; date_start..date_end (a span is kept as date_end); place =
where_coordinates at (longitude, latitude); province = adm_1 normalised (Syria) or kept as is.
Tolls: low → killed, high → killed_max (empty when equal); UCDP's `best` estimate and
`deaths_civilians` have no field in the model and are written into notes, with side_b and the
source article. actor = side_a; event_type from type_of_violence; source = "UCDP GED: <source_original>".
Precision: where_prec 1 → 1 (exact), 2 → 2 (within 25 km), 3–5 → 3 (district, governorate or a
line between places); 6 (country only) and 7 (international waters or airspace) cannot be put on a
governorate map, so those rows are rejected with that reason.
"""

from __future__ import annotations

import math
from pathlib import Path

from geo.formats import IncidentStream, ReadResult
from geo.formats.countries import country_code, known_countries
from geo.formats.tabular import (
    Progress,
    iter_csv_dataset,
    parse_day,
    point,
    province_for,
    read_csv_dataset,
    require,
    text,
)
from geo.model import Incident, ValidationError

NAME = "ucdp"
SIGNATURE = frozenset({"id", "date_start", "date_end", "where_prec", "best", "low", "high",
                       "latitude", "longitude"})
_PRECISION = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3}
_TOO_COARSE = {"6": "where_prec 6: located only to the country",
               "7": "where_prec 7: international waters or airspace"}
_VIOLENCE = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}


def matches(columns) -> bool:
    return SIGNATURE <= {c.strip().lower() for c in columns}


def from_row(row: dict[str, str]) -> Incident:
    """One GED row → an Incident (raises ValidationError naming the column at fault)."""
    event_id = require(row, "id")
    if event_id.endswith(".0"):  # ids written by a spreadsheet as floats
        event_id = event_id[:-2]
    where_prec = require(row, "where_prec")
    if where_prec in _TOO_COARSE:
        raise ValidationError("where_prec", f"{_TOO_COARSE[where_prec]}; too coarse to map (rejected)")
    if where_prec not in _PRECISION:
        raise ValidationError("where_prec", f"{where_prec!r} is not a UCDP precision code 1–7")
    country_name = (row.get("country") or "").strip()
    country = country_code(country_name)
    if country is None:
        raise ValidationError("country", f"{country_name!r} is not a country this atlas maps "
                                         f"(accepted: {known_countries()})")
    start = parse_day(require(row, "date_start"), "date_start")
    end_text = (row.get("date_end") or "").strip()
    end = parse_day(end_text, "date_end") if end_text else None
    low, best, high = (_count(row, name) for name in ("low", "best", "high"))
    killed = low if low is not None else best
    killed_max = high if high is not None and high != killed else None
    place = (text(row.get("where_coordinates")) or text(row.get("adm_2")) or text(row.get("adm_1"))
             or "unnamed place")
    # Built from typed values: the model's checks (bounds, dates, text) run in Incident itself.
    return Incident(
        id=f"ucdp:{text(event_id)}",
        date=start,
        date_end=end if end and end != start else None,
        places=[place],
        points=[point(row)],
        province=province_for(country, text(row.get("adm_1")) or ""),
        country=country,
        geo_precision=_PRECISION[where_prec],
        killed=killed,
        killed_max=killed_max,
        actor=text(row.get("side_a")),
        event_type=_VIOLENCE.get((row.get("type_of_violence") or "").strip()),
        source=_source(row.get("source_original")),
        notes=_notes(row, best),
    )


def read_ucdp(path: str | Path, progress: Progress | None = None) -> ReadResult:
    """Incidents from a UCDP GED CSV; rows that fail become rejects with their line."""
    return read_csv_dataset(path, SIGNATURE, "a UCDP GED file", from_row, progress)


def iter_ucdp(path: str | Path) -> IncidentStream:
    """Incidents from a UCDP GED file, streamed as the file is read (FormatError at once if it is not one)."""
    return iter_csv_dataset(path, SIGNATURE, "a UCDP GED file", from_row)


def _count(row: dict[str, str], name: str) -> int | None:
    cell = (row.get(name) or "").strip()
    if not cell:
        return None
    if cell.isdigit() and cell.isascii() and len(cell) < 10:
        return int(cell)
    try:
        number = float(cell)
    except ValueError:
        raise ValidationError(name, f"{cell[:60]!r} is not a number") from None
    if not math.isfinite(number) or not number.is_integer() or number < 0:
        raise ValidationError(name, f"{cell[:60]!r} is not a whole number of deaths")
    return int(number)


def _source(cell: str | None) -> str:
    cell = text(cell)
    return f"UCDP GED: {cell}" if cell else "UCDP GED"


def _notes(row: dict[str, str], best: int | None) -> str | None:
    parts = []
    if best is not None:
        parts.append(f"UCDP best estimate: {best}")
    civilians = _count(row, "deaths_civilians")
    if civilians is not None:
        parts.append(f"civilian deaths: {civilians}")
    side_b = text(row.get("side_b"))
    if side_b:
        parts.append(f"other party: {side_b}")
    article = text(row.get("source_article"))
    if article:
        parts.append(f"article: {article}")
    return "; ".join(parts) or None
