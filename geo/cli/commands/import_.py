"""`python -m geo import FILE...`: store incidents from datasets (ACLED, UCDP, the atlas's CSV and
GeoJSON, GeoPackage) or news reports (.txt, through extraction).

Exit 0 when every row loaded, 1 when some were rejected, 2 when a file could not be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli import UsageError, add_db_argument
from geo.formats import FormatError
from geo.formats.detect import FORMATS, detect_format

if TYPE_CHECKING:
    from geo.store import Store

SHOW_REJECTS = 10  # reasons printed per file; the rest are in the rejects file
PROGRESS_FROM = 10_000  # rows; smaller files finish before a progress line would help


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import", help="store incidents from ACLED, UCDP, CSV, GeoJSON, GeoPackage or report files",
        description="Store the incidents in each FILE. Dataset formats are detected from their "
                    "columns; .txt files are news reports and go through extraction. Rows that fail "
                    "validation are listed and written to <name>.rejects.csv beside the file.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                        help="the files' format (default: detected)")
    add_db_argument(parser)
    parser.add_argument("--on-duplicate", choices=("merge", "keep", "skip"), default="merge",
                        help="news reports: an incident matching a stored one is merged with it, kept "
                             "apart, or skipped (datasets are de-duplicated by their own ids)")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="news reports: the publication date, when the text gives none")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    from geo.ingest.importer import import_file, import_reports

    if args.date:
        try:
            dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r} is not a date like 2017-08-17") from None
    reports: list[tuple[Path, str]] = []
    datasets: list[tuple[Path, str]] = []
    code = 0
    for name in args.files:
        try:
            fmt = args.format if args.format != "auto" else detect_format(name)
        except FormatError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
            continue
        (reports if fmt == "report" else datasets).append((Path(name), fmt))
    if not reports and not datasets:
        return code
    store = _open_checked(args.db)
    for path, fmt in datasets:
        summary = import_file(store, path, fmt, progress=_ProgressLine(path.name))
        for reject in summary.rejects[:SHOW_REJECTS]:
            print(f"  {path.name}: {reject.reason}", file=sys.stderr)
        if summary.rejected > SHOW_REJECTS:
            print(f"  … and {summary.rejected - SHOW_REJECTS} more", file=sys.stderr)
        print(summary.sentence(), file=sys.stderr if summary.error else sys.stdout)
        code = max(code, summary.exit_code)
    if reports:
        try:
            lines = import_reports(store, [p for p, _ in reports], args.date, args.on_duplicate)
            for line in lines:
                print(line)
            for line in getattr(lines, "errors", ()):  # tolls not coded, a missing date: never silent
                print(line, file=sys.stderr)
            code = max(code, getattr(lines, "exit_code", 0))
        except FormatError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
    return code


def _open_checked(url: str | None) -> Store:
    """The store to import into: its URL checked (no in-memory database), a SQLite file's pages
    checked, so nothing is written into a corrupt store."""
    from geo import open_store
    from geo.settings import database_url
    from geo.store.integrity import check_integrity
    from geo.store.url import check_url

    if url or database_url():
        check_url(url or database_url() or "", "import")
    store = open_store(url)
    check_integrity(store)
    return store


class _ProgressLine:
    """Progress on stderr for large files: a line redrawn in a terminal, every 10k rows otherwise."""

    def __init__(self, name: str):
        self.name = name
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        percent = 100 * done // total if total else 100
        bar = "#" * (percent // 5)
        what = "reading and storing" if stage == "reading" else "stored"  # one stream does both
        text = f"{self.name}: {what} {done:,}/{total:,} rows [{bar:<20}] {percent}%"
        if self.tty:
            end = "\n" if stage == "storing" and done == total else ""
            print("\r" + text, end=end, file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)
        self.shown = True
