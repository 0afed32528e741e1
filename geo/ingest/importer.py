"""Dataset file → store: read (format detected), place unprovinced points in the outlines, store in
one transaction, and write the rejected rows beside the input as `<name>.rejects.csv`. The file is
streamed: rows are read, checked and stored chunk by chunk, so memory does not grow with it.

Used by `python -m geo import` and the "Import data" page; progress goes to a callback.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from geo.formats import FormatError, IncidentStream, ReadResult, Reject
from geo.formats.csv import safe_cell
from geo.formats.csv import writer as csv_writer
from geo.formats.detect import detect_format
from geo.formats.reader import iter_file, read_file
from geo.model import clean_text

if TYPE_CHECKING:
    from geo.ingest.reports import OnDuplicate
    from geo.store import Store

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
    """The detected format and the file's incidents and rejects, in lists (FormatError if unreadable)."""
    fmt = detect_format(path) if format == "auto" else format
    reading = (lambda done, total: progress("reading", done, total)) if progress else None
    return fmt, read_file(path, fmt, reading)


def store_result(store: Store, result: ReadResult, outlines: Any = _OUTLINES,
                 progress: ImportProgress | None = None) -> tuple[int, int, int]:
    """Store what was read in one transaction; returns (stored, skipped, placed by outlines)."""
    placed = place_in_provinces(result.incidents, outlines)
    total = len(result.incidents)
    if progress:
        progress("storing", 0, total)
    added = store.add(_counted(result.incidents, lambda done: progress("storing", done, total))
                      if progress else result.incidents)
    if result.events:  # a file of exported events: its records back in the events it gave
        store.restore_events(result.events)
    if progress:
        progress("storing", total, total)
    return len(added.added), len(added.skipped), placed


def _counted(incidents: Iterable, report: Callable[[int], None]) -> Iterator:
    """The incidents, reporting how many went by every PROGRESS_EVERY (the store pulls them by chunks)."""
    from geo.formats import tabular
    for done, incident in enumerate(incidents, start=1):
        yield incident
        if done % tabular.PROGRESS_EVERY == 0:
            report(done)


def import_file(store: Store, path: str | Path, format: str = "auto", progress: ImportProgress | None = None,
                outlines: Any = _OUTLINES, write_rejects_file: bool = True) -> ImportSummary:
    """Stream one file into the store in one transaction: rows are read, checked, placed and
    stored chunk by chunk, so memory does not grow with the file; a file that cannot be read (or
    breaks off) stores nothing and gives a summary with `error`."""
    summary = ImportSummary(Path(path))
    try:
        summary.format = detect_format(path) if format == "auto" else format
        stream = iter_file(path, summary.format)
    except FormatError as exc:
        summary.error = str(exc)
        return summary
    except OSError as exc:
        summary.error = f"cannot read {path}: {exc.strerror or exc}"
        return summary
    placing = _Placing(outlines)
    try:
        added = store.add(prepared(stream, placing, progress))
        if stream.events:  # a file of exported events: its records back in the events it gave
            store.restore_events(stream.events)
    except FormatError as exc:  # the file broke off mid-way: the transaction was rolled back
        summary.error = f"{exc}; nothing was stored"
        return summary
    except OSError as exc:
        summary.error = f"cannot read {path}: {exc.strerror or exc}; nothing was stored"
        return summary
    summary.stored, summary.skipped, summary.placed = len(added.added), len(added.skipped), placing.placed
    if progress:
        progress("storing", stream.read, stream.read)
    summary.rejects = sorted(stream.rejects, key=lambda r: r.line)
    if summary.rejects and write_rejects_file:
        target = rejects_path_for(path)
        try:
            write_rejects(summary.rejects, target)
            summary.rejects_path = target
        except OSError:
            summary.rejects_path = None  # read-only folder: the CLI still prints the reasons
    return summary


_PLACE_BATCH = 5000  # incidents given provinces by point-in-polygon at a time


class _Placing:
    """Point-in-polygon for a stream, the outlines loaded once and only if an incident needs them."""

    def __init__(self, outlines: Any = _OUTLINES):
        self.outlines = outlines
        self.placed = 0

    def __call__(self, batch: list) -> None:
        if not any(inc.province is None and inc.located for inc in batch):
            return
        if self.outlines is _OUTLINES:
            from geo.places import boundaries
            self.outlines = boundaries.load_outlines(1)
        self.placed += place_in_provinces(batch, self.outlines)


def prepared(stream: IncidentStream, placing: Callable[[list], None] | None = None,
             progress: ImportProgress | None = None) -> Iterator:
    """A stream's incidents, placed in provinces batch by batch, with progress as rows are read."""
    from geo.formats import tabular
    every = tabular.PROGRESS_EVERY
    mark = every
    batch: list = []
    for incident in stream:
        batch.append(incident)
        if progress is not None and stream.read >= mark:
            progress("reading", stream.read, max(stream.total or 0, stream.read))
            mark = (stream.read // every + 1) * every
        if len(batch) == _PLACE_BATCH:
            if placing:
                placing(batch)
            yield from batch
            batch = []
    if placing and batch:
        placing(batch)
    yield from batch


def preview(path: str | Path, format: str = "auto", store: Store | None = None, keep: int = 200,
            progress: ImportProgress | None = None) -> "Preview":
    """Read a file through without storing it: the first `keep` incidents, how many there are,
    the rejects, how many a province was found for, and (given a store) how many are stored already."""
    fmt = detect_format(path) if format == "auto" else format
    stream = iter_file(path, fmt)
    placing = _Placing()
    result = Preview(fmt)
    ids: list[str] = []
    for incident in prepared(stream, placing, progress):
        result.incidents += 1
        if len(result.first) < keep:
            result.first.append(incident)
        if store is not None:
            ids.append(incident.id)
            if len(ids) >= 5000:
                result.known += count_stored(store, ids)
                ids = []
    if store is not None and ids:
        result.known += count_stored(store, ids)
    result.rejects = sorted(stream.rejects, key=lambda r: r.line)
    result.placed = placing.placed
    return result


@dataclass
class Preview:
    """What a file holds, read through once without storing (see `preview`)."""

    format: str
    incidents: int = 0
    first: list = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    placed: int = 0
    known: int = 0  # incidents whose id is stored already

    @property
    def new(self) -> int:
        """At most this many would be stored (repeated ids in the file count once at storing)."""
        return self.incidents - self.known


def count_stored(store: Store, ids: list[str]) -> int:
    """How many of these ids the store holds already (one indexed look-up per 500)."""
    import sqlalchemy as sa

    from geo.store.schema import incidents_table
    found = 0
    unique = list(dict.fromkeys(ids))
    with store.engine.connect() as conn:
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            found += conn.execute(sa.select(sa.func.count()).select_from(incidents_table)
                                  .where(incidents_table.c.id.in_(chunk))).scalar() or 0
    return found


def place_in_provinces(incidents: list, outlines: Any = _OUTLINES) -> int:
    """Point-in-polygon for located incidents without a province, when outlines are installed."""
    if not any(inc.province is None and inc.located for inc in incidents):
        return 0
    from geo.places import boundaries

    if outlines is _OUTLINES:
        outlines = boundaries.load_outlines(1)
    return boundaries.assign_provinces(incidents, outlines) if outlines is not None else 0


def import_reports(store: Store, paths: list[str | Path], report_date: str | None = None,
                   on_duplicate: OnDuplicate = "merge") -> list[str]:
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
    buffer = io.StringIO(newline="")
    _write_rejects(list(rejects), buffer)
    return buffer.getvalue()


def write_rejects(rejects: Iterable[Reject], path: str | Path) -> Path:
    with open(path, "w", encoding="utf-8", errors="replace", newline="") as handle:
        _write_rejects(list(rejects), handle)
    return Path(path)


def _write_rejects(rejects: list[Reject], out) -> None:
    columns: dict[str, None] = {}
    for reject in rejects:
        columns.update(dict.fromkeys(k for k in _flat(reject.raw) if k not in ("line", "reason")))
    rows = csv_writer(out)
    rows.writerow(["line", "reason", *(safe_cell(_text(c)) for c in columns)])  # the file's own names
    for reject in rejects:
        row = _flat(reject.raw)
        rows.writerow([reject.line, safe_cell(_text(reject.reason)),
                       *(safe_cell(_text(row.get(c))) for c in columns)])


def _flat(raw: dict | None) -> dict[str, Any]:
    if not raw:
        return {}
    if raw.get("type") == "Feature" and isinstance(raw.get("properties"), dict):
        flat = dict(raw["properties"])
        flat["geometry"] = raw.get("geometry")
        return flat
    return {("geometry" if k == "__geometry__" else str(k)): v for k, v in raw.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        try:
            value = json.dumps(value, ensure_ascii=False)
        except (RecursionError, ValueError, TypeError):
            value = "(a value nested too deeply to show)"
    elif hasattr(value, "wkt"):
        value = value.wkt
    return clean_text(str(value))
