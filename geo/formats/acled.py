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
from geo.formats.tabular import (Progress, iter_csv_dataset, parse_day, province_for,
                                  read_csv_dataset, require)
from geo.model import Incident, ValidationError

NAME = "acled"
# Columns that together mark an ACLED export (ACLED's exports always carry them).
SIGNATURE = frozenset({"event_id_cnty", "event_date", "fatalities", "admin1", "latitude", "longitude"})
_TIME_PRECISION = {"2": "known to the week", "3": "known to the month"}


def matches(columns) -> bool:
    return SIGNATURE <= {c.strip().lower() for c in columns}


def from_row(row: dict[str, str]) -> Incident:
    """One ACLED row → an Incident (raises ValidationError naming the column at fault)."""
    event_id = require(row, "event_id_cnty")
    country_name = (row.get("country") or "").strip()
    country = country_code(country_name)
    if country is None:
        raise ValidationError("country", f"{country_name!r} is not a country this atlas maps "
                                         f"(accepted: {known_countries()})")
    place = ((row.get("location") or "").strip() or (row.get("admin3") or "").strip()
             or (row.get("admin2") or "").strip() or "unnamed place")
    lon, lat = (row.get("longitude") or "").strip(), (row.get("latitude") or "").strip()
    return Incident.from_dict({
        "id": f"acled:{event_id}",
        "date": parse_day(require(row, "event_date"), "event_date"),
        "places": [place],
        "points": [(lon, lat) if lon and lat else None],
        "province": province_for(country, row.get("admin1") or ""),
        "country": country,
        "geo_precision": row.get("geo_precision"),
        "killed": row.get("fatalities"),
        "actor": row.get("actor1"),
        "event_type": (row.get("sub_event_type") or "").strip() or row.get("event_type"),
        "source": _source(row.get("source")),
        "notes": _notes(row),
    })


def read_acled(path: str | Path, progress: Progress | None = None) -> ReadResult:
    """Incidents from an ACLED CSV export; rows that fail become rejects with their line."""
    return read_csv_dataset(path, SIGNATURE, "an ACLED export", from_row, progress)


def iter_acled(path: str | Path) -> IncidentStream:
    """Incidents from an ACLED export, streamed as the file is read (FormatError at once if it is not one)."""
    return iter_csv_dataset(path, SIGNATURE, "an ACLED export", from_row)


def _source(text: str | None) -> str:
    text = (text or "").strip()
    return f"ACLED: {text}" if text else "ACLED"


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
    notes = (row.get("notes") or "").strip()
    if extras:
        notes = f"{notes} [ACLED: {'; '.join(extras)}]".strip()
    return notes or None
