"""`python -m geo export`: write the selected incidents as GeoJSON or CSV (the dashboard's files)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli import add_db_argument, add_filter_arguments, filters_from_args
from geo.export import FORMATS, export_bytes, export_events_bytes


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

    fmt = args.format or _format_from_path(args.out) or "geojson"
    filters = filters_from_args(args)
    store = open_store(args.db, create=False)
    if args.records:
        incidents = store.query(filters)
        data = export_bytes(incidents, fmt)
        what = "records as stored"
    else:
        incidents = store.query(filters, of="events")
        data = export_events_bytes(incidents, store.event_details([e.id for e in incidents]), fmt)
        what = "one per event"
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {len(incidents):,} incidents ({what}) to {args.out} ({fmt})", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _format_from_path(path: str | None) -> str | None:
    if not path:
        return None
    suffix = Path(path).suffix.lower().lstrip(".")
    for fmt in FORMATS.values():
        if fmt.extension == suffix or (suffix == "json" and fmt.name == "geojson"):
            return fmt.name
    return None
