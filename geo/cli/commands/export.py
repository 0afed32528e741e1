"""`python -m geo export`: write the selected incidents as GeoJSON, CSV, GeoPackage or an HTML map
(the dashboard's files), streamed from the store as they are written."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo.cli import UsageError, add_db_argument, add_filter_arguments, filters_from_args
from geo.export import FORMATS, accepted_extensions, format_for_path, write_events_export, write_export


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="write the selected incidents to a file",
                            description="Write the incidents matching the filters, as the dashboard's "
                                        "download buttons do.")
    add_db_argument(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default=None,
                        help="file format (default: from --out's extension, else geojson)")
    parser.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    parser.add_argument("--records", action="store_true",
                        help="write the records as stored, not one feature per event (an event "
                             "lists its records in `sources`, with its `grade`)")
    add_filter_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from geo import open_store
    from geo.selection import incidents as selection_incidents
    from geo.settings import database_url
    from geo.store.url import check_url

    fmt = args.format or _format_from_path(args.out) or "geojson"
    filters = filters_from_args(args)
    url = args.db or database_url()
    if url:
        check_url(url, "export")
    store = open_store(args.db, create=False)

    def write(out) -> tuple[int, str]:
        if args.records:  # streamed: written as it is read
            return write_export(selection_incidents(store, filters), fmt, out, filters), "records as stored"
        events = selection_incidents(store, filters, of="events")  # streamed too
        return write_events_export(events, store.event_details, fmt, out, filters), "one per event"

    if not args.out:
        write(sys.stdout.buffer)
        sys.stdout.flush()
        return 0
    target = Path(args.out)
    partial = target.with_name(f".{target.name}.partial")  # the file appears only when complete
    try:
        with open(partial, "wb") as handle:
            count, what = write(handle)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    print(f"wrote {count:,} incidents ({what}) to {args.out} ({fmt})", file=sys.stderr)
    return 0


def _format_from_path(path: str | None) -> str | None:
    """The format --out's extension names; an extension that is none of ours is a usage error."""
    if not path:
        return None
    fmt = format_for_path(path)
    if fmt is None:
        suffix = Path(path).suffix or "(none)"
        raise UsageError(f"--out {path}: unknown file type {suffix}; accepted: {accepted_extensions()} "
                         f"(or name the format with --format {{{','.join(sorted(FORMATS))}}})")
    return fmt
