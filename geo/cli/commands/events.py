"""`python -m geo events list|show|split|join|undo`: the events records are linked into, and the
analyst's corrections (each undoable: records are only moved, never changed or removed)."""

from __future__ import annotations

import argparse
import json
import sys

from geo.cli import UsageError, add_db_argument, add_filter_arguments, filters_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("events", help="list, show, split or join events (records of one strike)",
                            description="Events group the records (ACLED, UCDP, reports …) that tell "
                                        "of one strike. Split or join them when the linking got it "
                                        "wrong; `undo` reverses the last split or join.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="one line per event: id, date, toll, grade, records")
    add_filter_arguments(listing)
    listing.add_argument("--limit", type=int, default=None, metavar="N", help="at most N events")
    show = actions.add_parser("show", help="an event's records side by side, and why they were linked")
    show.add_argument("event", metavar="EVENT")
    show.add_argument("--json", action="store_true", help="the event's sources as JSON")
    split = actions.add_parser("split", help="move records out of an event into a new one")
    split.add_argument("event", metavar="EVENT")
    split.add_argument("records", nargs="+", metavar="RECORD")
    join = actions.add_parser("join", help="put the records of several events into the first")
    join.add_argument("events", nargs="+", metavar="EVENT")
    actions.add_parser("undo", help="undo the last split or join")
    for p in (listing, show, split, join, actions.choices["undo"]):
        add_db_argument(p)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from geo import open_store
    from geo.store.linking import EventEditError

    store = open_store(args.db, create=False)
    try:
        if args.action == "list":
            return _list(store, args)
        if args.action == "show":
            return _show(store, args.event, args.json)
        if args.action == "split":
            new_id = store.split_event(args.event, args.records)
            print(f"split {', '.join(args.records)} off event {args.event} into event {new_id} "
                  "(`python -m geo events undo` puts them back)")
        elif args.action == "join":
            kept = store.join_events(args.events)
            print(f"joined {', '.join(e for e in args.events if e != kept)} into event {kept} "
                  "(`python -m geo events undo` splits them again)")
        else:
            print(store.undo_event_edit())
    except EventEditError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _list(store, args: argparse.Namespace) -> int:
    from geo.summary import Headline  # noqa: F401  (figures are printed as the headline's rule)
    events = store.query(filters_from_args(args), limit=args.limit, of="events")
    details = store.event_details([e.id for e in events])
    for event in events:
        d = details[event.id]
        toll = "not reported" if event.killed is None else (
            f"{event.killed:,}" + (f"–{event.killed_max:,}" if event.killed_max is not None else ""))
        print(f"{event.id}\t{event.date}\t{'; '.join(event.places)}\tdeaths {toll}\t{d.grade}\t"
              f"{d.records} record{'s' if d.records != 1 else ''}")
    print(f"{len(events):,} event{'s' if len(events) != 1 else ''}", file=sys.stderr)
    return 0


def _show(store, event_id: str, as_json: bool) -> int:
    details = store.event_details([event_id]).get(event_id)
    if details is None:
        record_event = store.event_of(event_id)
        hint = f"; record {event_id} is in event {record_event}" if record_event else ""
        raise UsageError(f"no event {event_id!r}{hint}; `python -m geo events list` shows the events")
    if as_json:
        print(json.dumps({"id": details.id, "grade": details.grade, "sources": details.sources,
                          "link_reasons": details.link_reasons}, ensure_ascii=False))
        return 0
    print(f"event {details.id}: {details.grade}, {details.records} record{'s' if details.records != 1 else ''}")
    for r in details.sources:
        toll = "not reported" if r["killed"] is None else (
            f"{r['killed']:,}" + (f"–{r['killed_max']:,}" if r["killed_max"] is not None else ""))
        children = "not reported" if r["children"] is None else f"{r['children']:,}"
        print(f"  {r['id']}\t{r['date']}\t{'; '.join(r.get('places') or [])}\tdeaths {toll}\t"
              f"children {children}\t{r['source'] or 'source not given'}\t{r['source_url'] or ''}")
    for reason in details.link_reasons:
        print(f"  linked: {reason}")
    return 0
