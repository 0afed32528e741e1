"""ACLED exports (acleddata.com CSV) → incidents.

Mapping: id "acled:<event_id_cnty>"; date from event_date ("2017-08-17" or "17 August 2017");
place = location at (longitude, latitude); province = admin1 normalised (Syria) or kept as is;
country from the country name; geo_precision 1–3 as is; fatalities → killed (ACLED gives one
figure, so killed_max stays empty); actor = actor1; event_type = sub_event_type (else event_type);
source = "ACLED: <source>". ACLED's notes are kept, followed by what the model has no field for:
actor2, civilian targeting and a time precision coarser than a day.
"""

from __future__ import annotations

from pathlib import Path

from geo.formats import IncidentStream, ReadResult
from geo.formats.countries import country_code, known_countries
from geo.formats.tabular import (
    Progress,
    count,
    iter_csv_dataset,
    parse_day,
    point,
    province_for,
    read_csv_dataset,
    require,
    text,
)
from geo.model import Incident, ValidationError, clean_text

NAME = "acled"
# Columns that together mark an ACLED export (ACLED's exports always carry them).
SIGNATURE = frozenset({"event_id_cnty", "event_date", "fatalities", "admin1", "latitude", "longitude"})
_TIME_PRECISION = {"2": "known to the week", "3": "known to the month"}


def matches(columns) -> bool:
    return SIGNATURE <= {c.strip().lower() for c in columns}


def from_row(row: dict[str, str]) -> Incident:
    """One ACLED row → an Incident (raises ValidationError naming the column at fault)."""
    event_id = text(require(row, "event_id_cnty"))
    country_name = (row.get("country") or "").strip()
    country = country_code(country_name)
    if country is None:
        raise ValidationError("country", f"{country_name[:60]!r} is not a country this atlas maps "
                                         f"(accepted: {known_countries()})")
    place = (text(row.get("location")) or text(row.get("admin3")) or text(row.get("admin2"))
             or "unnamed place")
    # Built from typed values: the model's checks (bounds, dates, text) run in Incident itself.
    return Incident(
        id=f"acled:{event_id}",
        date=parse_day(require(row, "event_date"), "event_date"),
        places=[place],
        points=[point(row)],
        province=province_for(country, text(row.get("admin1")) or ""),
        country=country,
        geo_precision=count("geo_precision", (row.get("geo_precision") or "").strip()),
        killed=count("killed", (row.get("fatalities") or "").strip()),
        actor=text(row.get("actor1")),
        event_type=text(row.get("sub_event_type")) or text(row.get("event_type")),
        source=_source(row.get("source")),
        notes=_notes(row),
    )


def read_acled(path: str | Path, progress: Progress | None = None) -> ReadResult:
    """Incidents from an ACLED CSV export; rows that fail become rejects with their line."""
    return read_csv_dataset(path, SIGNATURE, "an ACLED export", from_row, progress)


def iter_acled(path: str | Path) -> IncidentStream:
    """Incidents from an ACLED export, streamed as the file is read (FormatError at once if it is not one)."""
    return iter_csv_dataset(path, SIGNATURE, "an ACLED export", from_row)


def _source(cell: str | None) -> str:
    cell = text(cell)
    return f"ACLED: {cell}" if cell else "ACLED"


def _notes(row: dict[str, str]) -> str | None:
    extras = []
    actor2 = (row.get("actor2") or "").strip()
    if actor2:
        extras.append(f"other party: {actor2}")
    if (row.get("civilian_targeting") or "").strip():
        extras.append("civilians targeted")
    precision = _TIME_PRECISION.get((row.get("time_precision") or "").strip())
    if precision:
        extras.append(f"date {precision}")
    notes = text(row.get("notes")) or ""
    if extras:
        notes = f"{notes} [ACLED: {'; '.join(extras)}]".strip()
    return clean_text(notes) or None
