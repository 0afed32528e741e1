"""`read_file(path, format)`: any supported dataset file → ReadResult, the format detected if asked;
`iter_file` the same as a stream, read as it is consumed."""

from __future__ import annotations

from pathlib import Path

from geo.formats import FormatError, IncidentStream, ReadResult
from geo.formats.detect import FORMATS, detect_format
from geo.formats.tabular import Progress, collect

DATASET_FORMATS = tuple(f for f in FORMATS if f != "report")


def iter_file(path: str | Path, format: str = "auto") -> IncidentStream:
    """Incidents and rejects from a file as it is read; FormatError (at once) when it cannot be read."""
    path = Path(path)
    fmt = detect_format(path) if format == "auto" else format
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    if fmt == "report":
        raise FormatError(f"{path} is a news report: import it with `python -m geo import` "
                          "or the 'Add a report' page")
    if fmt == "acled":
        from geo.formats.acled import iter_acled
        return iter_acled(path)
    if fmt == "ucdp":
        from geo.formats.ucdp import iter_ucdp
        return iter_ucdp(path)
    if fmt == "gpkg":
        from geo.formats.gpkg import iter_gpkg
        return iter_gpkg(path)
    if fmt == "csv":
        from geo.formats.csv import iter_csv
        return iter_csv(path)
    if fmt == "geojson":
        from geo.formats.geojson import iter_geojson
        return iter_geojson(path)
    raise FormatError(f"unknown format {fmt!r}; accepted: auto, {', '.join(FORMATS)}")


def read_file(path: str | Path, format: str = "auto", progress: Progress | None = None) -> ReadResult:
    """Incidents and rejects from a file, in lists (`iter_file` streams them instead).

    Parameters
    ----------
    path
        An ACLED or UCDP export, the atlas's CSV or GeoJSON, or a GeoPackage.
    format
        "auto" (detected from the columns or the file type) or one of DATASET_FORMATS.
    progress
        Called with (rows read, rows expected) as the file is read.

    Raises
    ------
    FormatError
        The file cannot be read at all; a bad row is a `Reject` with its line and reason instead.

    Examples
    --------
    >>> result = read_file("acled_syria.csv")  # doctest: +SKIP
    >>> for reject in result.rejects:  # doctest: +SKIP
    ...     print(reject.line, reject.reason)
    """
    return collect(iter_file(path, format), progress)
