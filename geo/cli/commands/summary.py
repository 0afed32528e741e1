"""`python -m geo summary`: the headline figures of a selection, as the dashboard shows them,
counting each event once (`--json`: one object on one line, for scripts)."""

from __future__ import annotations

import argparse
import json

from geo.cli import add_db_argument, add_filter_arguments, filters_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("summary", help="headline figures of the selected events",
                            description="Print the headline figures for the events matching the "
                                        "filters: events, records, reported deaths (the sum of the "
                                        "events' ranges), children, places not located.")
    add_db_argument(parser)
    parser.add_argument("--json", action="store_true",
                        help='one line: {"events", "records", "killed_min", "killed_max", "children", '
                             '"not_located"}; children is null when no source reports any')
    add_filter_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from geo import open_store, summary
    from geo.places.search import with_place_names

    filters = filters_from_args(args)
    store = open_store(args.db, create=False)
    if filters.text:
        filters = with_place_names(filters)
    head = summary.headline_from(store.totals(filters, of="events"))
    not_located = store.places(filters, of="events").unlocated
    if args.json:
        print(json.dumps(summary.summary_json(head, not_located), ensure_ascii=False))
    else:
        print("\n".join(summary.summary_lines(head, not_located, filters.describe(head.incidents)
                                               .replace("incident", "event"))))
    return 0
