"""`read_file(path, format)`: any supported dataset file → ReadResult, the format detected if asked."""

from __future__ import annotations

from pathlib import Path

from geo.formats import FormatError, ReadResult
from geo.formats.detect import FORMATS, detect_format
from geo.formats.tabular import Progress

DATASET_FORMATS = tuple(f for f in FORMATS if f != "report")


def read_file(path: str | Path, format: str = "auto", progress: Progress | None = None) -> ReadResult:
    """Incidents and rejects from a file; FormatError when it cannot be read at all."""
    path = Path(path)
    fmt = detect_format(path) if format == "auto" else format
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    if fmt == "report":
        raise FormatError(f"{path} is a news report: import it with `python -m geo import` "
                          "or the 'Add a report' page")
    if fmt == "acled":
        from geo.formats.acled import read_acled
        return read_acled(path, progress)
    if fmt == "ucdp":
        from geo.formats.ucdp import read_ucdp
        return read_ucdp(path, progress)
    if fmt == "gpkg":
        from geo.formats.gpkg import read_gpkg
        return read_gpkg(path, progress)
    if fmt == "csv":
        from geo.formats.csv import read_csv
        result = read_csv(path)
    elif fmt == "geojson":
        from geo.formats.geojson import read_geojson
        result = read_geojson(path)
    else:
        raise FormatError(f"unknown format {fmt!r}; accepted: auto, {', '.join(FORMATS)}")
    if progress is not None:
        done = len(result.incidents) + len(result.rejects)
        progress(done, done)
    return result
