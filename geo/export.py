"""Export formats shared by the dashboard's download buttons and `python -m geo export`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from geo.model import Incident


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    mime: str
    render: Callable[[list[Incident]], bytes]


def _geojson(incidents: list[Incident]) -> bytes:
    from geo.formats import geojson
    return geojson.dumps(incidents).encode("utf-8")


def _csv(incidents: list[Incident]) -> bytes:
    from geo.formats import csv
    return csv.dumps(incidents).encode("utf-8")


def _html(incidents: list[Incident]) -> bytes:
    from geo.map.view import to_html
    return to_html(incidents)


def _gpkg(incidents: list[Incident]) -> bytes:
    from geo.formats import gpkg
    return gpkg.dumps(incidents)


FORMATS: dict[str, ExportFormat] = {
    "geojson": ExportFormat("geojson", "geojson", "application/geo+json", _geojson),
    "csv": ExportFormat("csv", "csv", "text/csv", _csv),
    "gpkg": ExportFormat("gpkg", "gpkg", "application/geopackage+sqlite3", _gpkg),
    "html": ExportFormat("html", "html", "text/html", _html),
}


def export_bytes(incidents: Iterable[Incident], fmt: str) -> bytes:
    """The incidents as a file of the given format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return FORMATS[fmt].render(list(incidents))


def export_events_bytes(events: Iterable[Incident], details: dict, fmt: str) -> bytes:
    """Events (rows of the events table) as a file: GeoJSON and CSV carry each event's `grade`
    and `sources` (geo.events_io); GeoPackage and HTML write one feature per event."""
    from geo import events_io
    if fmt == "geojson":
        return events_io.events_geojson(events, details)
    if fmt == "csv":
        return events_io.events_csv(events, details)
    return export_bytes(events, fmt)
