"""Dataset file → store: read (format detected), place unprovinced points in the outlines, store in
one transaction, and write the rejected rows beside the input as `<name>.rejects.csv`.

Used by `python -m geo import` and the "Import data" page; progress goes to a callback.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from geo.formats import FormatError, ReadResult, Reject
from geo.formats.csv import safe_cell
from geo.formats.reader import read_file
from geo.formats.detect import detect_format

# progress(stage, done, total): stage is "reading" or "storing"; done/total count rows.
ImportProgress = Callable[[str, int, int], None]
_OUTLINES = object()  # default: the installed level-1 outlines, if any


@dataclass
class ImportSummary:
    """What importing one file did."""

    path: Path
    format: str = ""
    stored: int = 0
    skipped: int = 0  # already stored (the dataset's own id), or repeated in the file
    rejects: list[Reject] = field(default_factory=list)
    placed: int = 0  # incidents given a province by point-in-polygon
    rejects_path: Path | None = None
    error: str | None = None  # the file could not be read at all

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def exit_code(self) -> int:
        """0: every row loaded; 1: some rows rejected; 2: the file could not be read."""
        return 2 if self.error else (1 if self.rejects else 0)

    def sentence(self) -> str:
        if self.error:
            return f"{self.path.name}: not imported: {self.error}"
        text = (f"{self.path.name} ({self.format}): {self.stored} stored, {self.skipped} skipped "
                f"(already stored), {self.rejected} rejected")
        if self.placed:
            text += f"; {self.placed} placed in a province by their coordinates"
        if self.rejects_path:
            text += f"; rejected rows in {self.rejects_path}"
        return text


def read_dataset(path: str | Path, format: str = "auto",
                 progress: ImportProgress | None = None) -> tuple[str, ReadResult]:
    """The detected format and the file's incidents and rejects (FormatError if unreadable)."""
    fmt = detect_format(path) if format == "auto" else format
    reading = (lambda done, total: progress("reading", done, total)) if progress else None
    return fmt, read_file(path, fmt, reading)


def store_result(store, result: ReadResult, outlines: Any = _OUTLINES,
                 progress: ImportProgress | None = None) -> tuple[int, int, int]:
    """Store what was read in one transaction; returns (stored, skipped, placed by outlines)."""
    placed = place_in_provinces(result.incidents, outlines)
    total = len(result.incidents)
    if progress:
        progress("storing", 0, total)
    added = store.add(result.incidents)
    if result.events:  # a file of exported events: its records back in the events it gave
        store.restore_events(result.events)
    if progress:
        progress("storing", total, total)
    return len(added.added), len(added.skipped), placed


def import_file(store, path: str | Path, format: str = "auto", progress: ImportProgress | None = None,
                outlines: Any = _OUTLINES, write_rejects_file: bool = True) -> ImportSummary:
    """Read one file and store its good rows; a file that cannot be read gives a summary with `error`."""
    summary = ImportSummary(Path(path))
    try:
        summary.format, result = read_dataset(path, format, progress)
    except FormatError as exc:
        summary.error = str(exc)
        return summary
    except OSError as exc:
        summary.error = f"cannot read {path}: {exc.strerror or exc}"
        return summary
    summary.rejects = result.rejects
    summary.stored, summary.skipped, summary.placed = store_result(store, result, outlines, progress)
    if result.rejects and write_rejects_file:
        target = rejects_path_for(path)
        try:
            write_rejects(result.rejects, target)
            summary.rejects_path = target
        except OSError:
            summary.rejects_path = None  # read-only folder: the CLI still prints the reasons
    return summary


def place_in_provinces(incidents: list, outlines: Any = _OUTLINES) -> int:
    """Point-in-polygon for located incidents without a province, when outlines are installed."""
    if not any(inc.province is None and inc.located for inc in incidents):
        return 0
    from geo.places import boundaries

    if outlines is _OUTLINES:
        outlines = boundaries.load_outlines(1)
    return boundaries.assign_provinces(incidents, outlines) if outlines is not None else 0


def import_reports(store, paths: list[str | Path], report_date: str | None = None,
                   on_duplicate: str = "merge") -> list[str]:
    """News report files (.txt) go through extraction; returns the lines to print."""
    try:
        from geo.ingest.reports import import_report_files
    except ImportError:
        raise FormatError("importing news reports is not available (geo.ingest.reports is missing)") from None
    return import_report_files(store, [Path(p) for p in paths], report_date=report_date,
                               on_duplicate=on_duplicate)


# --- rejects ------------------------------------------------------------------------------------

def rejects_path_for(path: str | Path) -> Path:
    """`acled.csv` → `acled.rejects.csv` in the same folder."""
    path = Path(path)
    return path.with_name(f"{path.stem}.rejects.csv")


def rejects_csv(rejects: Iterable[Reject]) -> str:
    """line, reason, then the row's own columns; cells are safe to open in a spreadsheet."""
    rejects = list(rejects)
    rows = [_flat(r.raw) for r in rejects]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(k for k in row if k not in ("line", "reason")))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "reason", *(safe_cell(_text(c)) for c in columns)])  # the file's own names
    for reject, row in zip(rejects, rows):
        writer.writerow([reject.line, safe_cell(reject.reason),
                         *(safe_cell(_text(row.get(c))) for c in columns)])
    return buffer.getvalue()


def write_rejects(rejects: Iterable[Reject], path: str | Path) -> Path:
    Path(path).write_text(rejects_csv(rejects), encoding="utf-8")
    return Path(path)


def _flat(raw: dict | None) -> dict[str, Any]:
    if not raw:
        return {}
    if raw.get("type") == "Feature" and isinstance(raw.get("properties"), dict):
        flat = dict(raw["properties"])
        flat["geometry"] = raw.get("geometry")
        return flat
    return {("geometry" if k == "__geometry__" else k): v for k, v in raw.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "wkt"):
        return value.wkt
    return str(value)
