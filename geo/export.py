"""Export formats shared by the dashboard's download buttons and `python -m geo export`.

`write_export` writes incidents into a binary file as they come (GeoJSON, CSV and GeoPackage in
memory that does not grow with the selection; the HTML map needs them all at once);
`export_bytes` is the same into bytes, for download buttons.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable

from geo.model import Incident


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    mime: str
    write: Callable[[Iterable[Incident], IO[bytes]], int]  # returns how many incidents were written

    def render(self, incidents: Iterable[Incident]) -> bytes:
        buffer = io.BytesIO()
        self.write(incidents, buffer)
        return buffer.getvalue()


def _geojson(incidents: Iterable[Incident], out: IO[bytes]) -> int:
    from geo.formats import geojson
    return geojson.write_geojson_bytes(incidents, out)


def _csv(incidents: Iterable[Incident], out: IO[bytes]) -> int:
    from geo.formats import csv
    return csv.write_csv_bytes(incidents, out)


def _html(incidents: Iterable[Incident], out: IO[bytes]) -> int:
    from geo.map.view import to_html
    incidents = list(incidents)  # the map is built from the whole selection at once
    out.write(to_html(incidents))
    return len(incidents)


def _gpkg(incidents: Iterable[Incident], out: IO[bytes]) -> int:
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


def write_export(incidents: Iterable[Incident], fmt: str, out: IO[bytes]) -> int:
    """Write the incidents, as they are read, into a binary file; returns how many."""
    return _check(fmt).write(incidents, out)


def export_bytes(incidents: Iterable[Incident], fmt: str) -> bytes:
    """The incidents as a file of the given format."""
    return _check(fmt).render(incidents)


def format_for_path(path: str | Path) -> str | None:
    """The format a file name asks for by its extension (.geojson/.json, .csv, .gpkg, .html), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower().lstrip("."))


def accepted_extensions() -> str:
    return ", ".join(f".{e}" for e in EXTENSIONS)
