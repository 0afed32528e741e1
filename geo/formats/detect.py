"""Which format a file is in: news report, GeoJSON, GeoPackage, or a CSV told apart by its columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

from geo.formats import FormatError, acled, mostly_binary, mostly_utf8, ucdp

FORMATS = ("report", "geojson", "csv", "acled", "ucdp", "gpkg")
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite file, GeoPackages too


def detect_columns(columns: Iterable[str]) -> str | None:
    """"acled", "ucdp" or "csv" (the project's own columns) from a header; None if none fits."""
    names = {str(c).strip().lower() for c in columns}
    if acled.matches(names):
        return "acled"
    if ucdp.matches(names):
        return "ucdp"
    if "date" in names:
        return "csv"
    return None


def detect_format(path: str | Path) -> str:
    """The format of a file from its name and first bytes; FormatError if it is none of ours."""
    path = Path(path)
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    if path.is_dir():
        raise FormatError(f"{path} is a folder, not a file")
    with open(path, "rb") as handle:
        head = handle.read(65536)
    suffix = path.suffix.lower()
    if head.startswith(SQLITE_MAGIC) or suffix == ".gpkg":
        return "gpkg"
    if mostly_binary(head):
        raise FormatError(f"{path} is not a text file (a spreadsheet or other binary?); "
                          "save it as UTF-8 CSV, GeoJSON or GeoPackage")
    if suffix == ".txt":
        return "report"
    if not mostly_utf8(head):
        raise FormatError(f"{path} is not UTF-8 text; save it as UTF-8 and retry")
    text = head.decode("utf-8-sig", errors="replace")
    if suffix in (".geojson", ".json") or text.lstrip().startswith("{"):
        return "geojson"
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise FormatError(f"{path}: its first line is not a readable CSV header ({exc}); "
                          "save it again as UTF-8 CSV") from None
    found = detect_columns(header)
    if found is None:
        raise FormatError(f"{path}: cannot tell the format from its columns ({', '.join(header[:8])}…); "
                          "expected an ACLED export (event_id_cnty, event_date, …), a UCDP GED file "
                          "(id, date_start, where_prec, best, …) or the atlas's CSV (date, places, …)")
    return found
