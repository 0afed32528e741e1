"""Export formats shared by the dashboard's download buttons and `python -m geo export`.

`write_export` writes incidents into a binary file as they come (GeoJSON, CSV and GeoPackage in
memory that does not grow with the selection; the HTML map needs them all at once);
`export_bytes` is the same into bytes, for download buttons; `download_name` names the file after
the filters.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from geo.model import Incident

if TYPE_CHECKING:
    from geo.filters import Filters

Writer = Callable[[Iterable[Incident], IO[bytes], "Filters | None"], int]
DetailsOf = Callable[[list[str]], Mapping[str, Any]]  # event ids → their details (Store.event_details)
_DETAILS_CHUNK = 2000


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    mime: str
    write: Writer  # (incidents, binary file, filters that chose them) → how many were written

    def render(self, incidents: Iterable[Incident], filters: "Filters | None" = None) -> bytes:
        buffer = io.BytesIO()
        self.write(incidents, buffer, filters)
        return buffer.getvalue()


def _geojson(incidents: Iterable[Incident], out: IO[bytes], filters: "Filters | None" = None) -> int:
    from geo.formats import geojson
    return geojson.write_geojson_bytes(incidents, out)


def _csv(incidents: Iterable[Incident], out: IO[bytes], filters: "Filters | None" = None) -> int:
    from geo.formats import csv
    return csv.write_csv_bytes(incidents, out)


def _html(incidents: Iterable[Incident], out: IO[bytes], filters: "Filters | None" = None) -> int:
    from geo.map.view import to_html
    incidents = list(incidents)  # the map is built from the whole selection at once
    out.write(to_html(incidents, filters))
    return len(incidents)


def _gpkg(incidents: Iterable[Incident], out: IO[bytes], filters: "Filters | None" = None) -> int:
    from geo.formats import gpkg
    return gpkg.write_gpkg_bytes(incidents, out)


FORMATS: dict[str, ExportFormat] = {
    "geojson": ExportFormat("geojson", "geojson", "application/geo+json", _geojson),
    "csv": ExportFormat("csv", "csv", "text/csv", _csv),
    "gpkg": ExportFormat("gpkg", "gpkg", "application/geopackage+sqlite3", _gpkg),
    "html": ExportFormat("html", "html", "text/html", _html),
}
EXTENSIONS = {**{f.extension: f.name for f in FORMATS.values()}, "json": "geojson", "htm": "html"}


def _check(fmt: str) -> ExportFormat:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return FORMATS[fmt]


def write_export(incidents: Iterable[Incident], fmt: str, out: IO[bytes],
                 filters: "Filters | None" = None) -> int:
    """Write the incidents, as they are read, into a binary file; returns how many.

    Parameters
    ----------
    incidents
        Any iterable, e.g. ``Store.iter_query(filters)``: read once, as it comes.
    fmt
        One of FORMATS: geojson, csv, gpkg, html.
    out
        A binary file object.
    filters
        What chose the incidents: the HTML map's title and sentence.

    Raises
    ------
    ValueError
        An unknown format; the message names the accepted ones.
    """
    return _check(fmt).write(incidents, out, filters)


def export_bytes(incidents: Iterable[Incident], fmt: str, filters: "Filters | None" = None) -> bytes:
    """The incidents as a file of the given format, in memory (for download buttons).

    Examples
    --------
    >>> export_bytes(store.iter_query(), "csv")[:3]  # doctest: +SKIP
    b'id,'
    """
    return _check(fmt).render(incidents, filters)


def format_for_path(path: str | Path) -> str | None:
    """The format a file name asks for by its extension (.geojson/.json, .csv, .gpkg, .html), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower().lstrip("."))


def accepted_extensions() -> str:
    return ", ".join(f".{e}" for e in EXTENSIONS)


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


def write_events_export(events: Iterable[Incident], details_of: DetailsOf, fmt: str, out: IO[bytes],
                        filters: "Filters | None" = None) -> int:
    """Write events (rows of the events table) as they are read: GeoJSON and CSV carry each
    event's grade, records, sources and link reasons (geo.formats.events), asked of `details_of`
    (e.g. ``Store.event_details``) a chunk at a time; GeoPackage and HTML one feature per event.

    Raises
    ------
    ValueError
        An unknown format; the message names the accepted ones.
    """
    from geo.formats import csv, geojson
    from geo.formats.events import event_properties
    _check(fmt)
    known: dict[str, Any] = {}

    def with_details() -> Iterator[Incident]:
        batch: list[Incident] = []
        for event in events:
            batch.append(event)
            if len(batch) == _DETAILS_CHUNK:
                yield from _looked_up(batch)
                batch = []
        yield from _looked_up(batch)

    def _looked_up(batch: list[Incident]) -> list[Incident]:
        known.clear()
        known.update(details_of([e.id for e in batch]) if batch else {})
        return batch

    def extra(event: Incident) -> dict[str, Any]:
        return event_properties(known.get(event.id))

    if fmt == "geojson":
        return geojson.write_geojson_bytes(with_details(), out, extra)
    if fmt == "csv":
        return csv.write_csv_bytes(with_details(), out, extra)
    return write_export(events, fmt, out, filters)


def export_events_bytes(events: Iterable[Incident], details_of: DetailsOf, fmt: str,
                        filters: "Filters | None" = None) -> bytes:
    """`write_events_export` into bytes (for download buttons)."""
    buffer = io.BytesIO()
    write_events_export(events, details_of, fmt, buffer, filters)
    return buffer.getvalue()
