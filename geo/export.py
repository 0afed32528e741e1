"""Export formats shared by the dashboard's download buttons and `python -m geo export`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from geo.model import Incident

if TYPE_CHECKING:
    from geo.filters import Filters


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    mime: str
    render: Callable[..., bytes]  # (incidents, filters or None) → the file


def _geojson(incidents: list[Incident], filters: "Filters | None" = None) -> bytes:
    from geo.formats import geojson
    return geojson.dumps(incidents).encode("utf-8")


def _csv(incidents: list[Incident], filters: "Filters | None" = None) -> bytes:
    from geo.formats import csv
    return csv.dumps(incidents).encode("utf-8")


def _html(incidents: list[Incident], filters: "Filters | None" = None) -> bytes:
    from geo.map.view import to_html
    return to_html(incidents, filters)


def _gpkg(incidents: list[Incident], filters: "Filters | None" = None) -> bytes:
    from geo.formats import gpkg
    return gpkg.dumps(incidents)


FORMATS: dict[str, ExportFormat] = {
    "geojson": ExportFormat("geojson", "geojson", "application/geo+json", _geojson),
    "csv": ExportFormat("csv", "csv", "text/csv", _csv),
    "gpkg": ExportFormat("gpkg", "gpkg", "application/geopackage+sqlite3", _gpkg),
    "html": ExportFormat("html", "html", "text/html", _html),
}


def export_bytes(incidents: Iterable[Incident], fmt: str, filters: "Filters | None" = None) -> bytes:
    """The incidents as a file of the given format; `filters` (what selected them) titles the HTML map."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return FORMATS[fmt].render(list(incidents), filters)


def download_name(filters: "Filters | None", fmt: str, today: dt.date | None = None) -> str:
    """A file name that says what was selected, e.g. strike-atlas_deir-ez-zor_2017-08.geojson.

    Provinces (up to three, else "N-provinces"), the dates (a whole month as YYYY-MM, a whole year
    as YYYY, else START_END, open ends as "from"/"until"), a minimum toll; no filter at all gives
    the export date (strike-atlas_all_2026-12-01.csv)."""
    extension = FORMATS[fmt].extension if fmt in FORMATS else _slug(fmt)
    parts = ["strike-atlas"]
    if filters is not None and filters.provinces:
        names = sorted(filters.provinces)
        parts.append("-".join(_slug(p) for p in names) if len(names) <= 3 else f"{len(names)}-provinces")
    dates = _date_part(filters.start, filters.end) if filters is not None else None
    if dates:
        parts.append(dates)
    if filters is not None and filters.min_killed:
        parts.append(f"min{filters.min_killed}killed")
    if filters is not None and any((filters.actor, filters.source, filters.text)):
        parts.append("-".join(_slug(t)[:20] for t in (filters.actor, filters.source, filters.text) if t))
    if len(parts) == 1:
        parts += ["all", (today or dt.date.today()).isoformat()]
    return "_".join(p for p in parts if p) + f".{extension}"


def _date_part(start: dt.date | None, end: dt.date | None) -> str | None:
    if start and end:
        if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
            if (start.year, start.month) == (end.year, end.month):
                return f"{start:%Y-%m}"
            if start.month == 1 and end.month == 12 and start.year == end.year:
                return f"{start:%Y}"
            return f"{start:%Y-%m}_{end:%Y-%m}"
        return start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"
    if start:
        return f"from-{start.isoformat()}"
    if end:
        return f"until-{end.isoformat()}"
    return None


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Deir ez-Zor" → deir-ez-zor); Arabic or other
    scripts without an ASCII form give "x"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"
