"""Events in the store: linking new records (geo.events' rule), recomputing events, splitting,
joining and undoing, inside the caller's transaction.

Records keep their row as the source gave it; only their `event_id` is set. An event's row is
always recomputed from all of its records (geo.events.event_row), so it never drifts from them.
On PostgreSQL linking holds an advisory lock until commit: concurrent imports insert their records
side by side, then link one after another, each seeing the events the others committed.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import sqlalchemy as sa

from geo import events as rules
from geo.store.schema import (
    EVENT_KEYS,
    ROW_KEYS,
    decode_points,
    event_edits_table,
    events_table,
    incidents_table,
    meta_table,
    scan_json,
)
from geo.store.writer import chunks

_LINK_LOCK = 7_341_920_118  # advisory lock id: one linking transaction at a time


class EventEditError(ValueError):
    """A split, join or undo that cannot be done; the message says what to give instead."""


@dataclass
class LinkResult:
    """What one linking pass did."""

    linked: int = 0  # new records placed in an event
    new_events: int = 0
    joined: dict[str, str] = field(default_factory=dict)  # record id → existing event it joined


def link_unlinked(conn: sa.Connection, recompute: Iterable[str] = ()) -> LinkResult:
    """Put every record without an event into one (an existing event or a new one), and
    recompute the events in `recompute` (whose records changed)."""
    was_enabled = gc.isenabled()
    gc.disable()  # a million records read and linked: no garbage, but collections would double the time
    try:
        return _link_unlinked(conn, recompute)
    finally:
        if was_enabled:
            gc.enable()


def _link_unlinked(conn: sa.Connection, recompute: Iterable[str]) -> LinkResult:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LINK_LOCK})")
    c = incidents_table.c
    rows = [_record(r) for r in conn.execute(
        sa.select(*(c[k] for k in ROW_KEYS)).where(c.event_id.is_(None))).all()]
    result = LinkResult()
    touched = set(recompute)
    if rows:
        linked = rules.link(rows, _stored_marks(conn, rows))
        _rename_taken(conn, linked)
        result.linked = len(rows)
        result.new_events = len(linked.new)
        moves = [(e, r) for r, e in linked.event_of.items() if r != e]
        for chunk in chunks(moves, 5000):
            conn.execute(incidents_table.update().where(c.id == sa.bindparam("rid"))
                         .values(event_id=sa.bindparam("eid")),
                         [{"rid": r, "eid": e} for e, r in chunk])
        # Every other new record founded its own event, named after it.
        conn.execute(incidents_table.update().where(c.event_id.is_(None)).values(event_id=c.id))
        for record, event in linked.event_of.items():
            if event not in linked.new:
                result.joined[record] = event
        stored_touched = {e for e in linked.events if e not in linked.new}
        touched |= stored_touched
        # New events whose records are all new: their rows come from what was just read.
        by_event: dict[str, list[dict]] = {}
        for row in rows:
            by_event.setdefault(linked.event_of[row["id"]], []).append(row)
        fresh = [rules.event_row(e, recs, linked.reasons.get(e, ()))
                 for e, recs in by_event.items() if e in linked.new and e not in touched]
        _insert_events(conn, fresh)
        extra = {e: linked.reasons.get(e, []) for e in stored_touched}
    else:
        extra = {}
    recompute_events(conn, touched, extra)
    return result


def _rename_taken(conn: sa.Connection, linked: rules.Linked) -> None:
    """A new event named after a record whose id an event still bears (the record was removed and
    added again) takes a free name instead."""
    e = events_table.c
    taken: set[str] = set()
    for chunk in chunks(sorted(linked.new), 5000):
        taken.update(conn.execute(sa.select(e.id).where(e.id.in_(chunk))).scalars())
    for old in taken:
        new = _free_event_id(conn, old)
        linked.new.discard(old)
        linked.new.add(new)
        linked.events[new] = linked.events.pop(old)
        linked.events[new].id = new
        if old in linked.reasons:
            linked.reasons[new] = linked.reasons.pop(old)
        for record, event in linked.event_of.items():
            if event == old:
                linked.event_of[record] = new


def recompute_events(conn: sa.Connection, event_ids: Iterable[str],
                     new_reasons: dict[str, list[str]] | None = None) -> None:
    """Rebuild these events' rows from their records (an event left with none is removed)."""
    ids = sorted(set(event_ids))
    if not ids:
        return
    new_reasons = new_reasons or {}
    c, e = incidents_table.c, events_table.c
    for chunk in chunks(ids, 2000):
        old_reasons = {i: json.loads(r) for i, r in conn.execute(
            sa.select(e.id, e.link_reasons).where(e.id.in_(chunk)))}
        records: dict[str, list[dict]] = {}
        for row in conn.execute(sa.select(*(c[k] for k in ROW_KEYS)).where(c.event_id.in_(chunk))):
            rec = _record(row)
            records.setdefault(rec["event_id"], []).append(rec)
        conn.execute(events_table.delete().where(e.id.in_(chunk)))
        rows = []
        for event_id in chunk:
            recs = records.get(event_id)
            if not recs:
                continue
            members = {r["id"] for r in recs}
            reasons = [x for x in old_reasons.get(event_id, []) + new_reasons.get(event_id, [])
                       if x.startswith("by hand") or x.split(": ", 1)[0] in members]
            rows.append(rules.event_row(event_id, recs, list(dict.fromkeys(reasons))))
        _insert_events(conn, rows)


def _insert_events(conn: sa.Connection, rows: Sequence[dict]) -> None:
    """Insert event rows through the driver's executemany, as plain values (ISO dates, JSON text),
    as the records' writer does: SQLAlchemy's per-row processing cost more than the insert."""
    if not rows:
        return
    compiled = events_table.insert().compile(dialect=conn.dialect, column_keys=list(EVENT_KEYS))
    order = [k for k in (compiled.positiontup or ())] if compiled.positional else None
    for chunk in chunks(list(rows), 5000):
        values = [_plain_event(r) for r in chunk]
        params = [tuple(v[k] for k in order) for v in values] if order else values
        conn.exec_driver_sql(compiled.string, params)


def _plain_event(row: dict) -> dict:
    values: dict[str, Any] = {k: row.get(k) for k in EVENT_KEYS}
    for name in ("date", "date_end", "last_date"):
        if values[name] is not None and not isinstance(values[name], str):
            values[name] = values[name].isoformat()
    points = values["points"]
    if not isinstance(points, str):
        values["points"] = "[" + ",".join(f"[{p[0]!r},{p[1]!r}]" if p else "null" for p in points) + "]"
    places = values["places"]
    if not isinstance(places, str):
        values["places"] = json.dumps(places, ensure_ascii=False)
    values["cumulative"] = bool(values["cumulative"])
    return values


def _record(row: Sequence) -> dict:
    """A stored record as geo.events reads it: the row's columns, places and points decoded."""
    rec = dict(zip(ROW_KEYS, row))
    for name in ("date", "date_end", "last_date"):
        if rec[name] is not None and not isinstance(rec[name], str):
            rec[name] = rec[name].isoformat()
    rec["places"] = scan_json(rec["places"], 0)[0]
    rec["points"] = decode_points(rec["points"])
    rec["cumulative"] = bool(rec["cumulative"])
    return rec


def _stored_marks(conn: sa.Connection, rows: list[dict]) -> list[rules.Mark]:
    """Stored events that new records could join: in their period (a day either side) and in a
    box around them (or without a point)."""
    first = min(dt.date.fromisoformat(r["date"]) for r in rows) - dt.timedelta(days=rules.LINK_DAYS)
    last = max(dt.date.fromisoformat(r["last_date"]) for r in rows) + dt.timedelta(days=rules.LINK_DAYS)
    span = conn.execute(sa.select(meta_table.c.max_span_days).where(meta_table.c.id == 1)).scalar() or 0
    e = events_table.c
    where = [e.last_date >= first, e.date <= last, e.date >= first - dt.timedelta(days=span)]
    lons = [p[0] for r in rows for p in r["points"] if p]
    lats = [p[1] for r in rows for p in r["points"] if p]
    if lons and all(r["located"] for r in rows):
        pad = rules.CELL_DEG
        where.append(sa.or_(e.longitude.is_(None), sa.and_(
            e.longitude.between(min(lons) - pad, max(lons) + pad),
            e.latitude.between(min(lats) - pad, max(lats) + pad))))
    # The new records in blocks: a stored event's sources are decoded only when some record is
    # near it (a large import into a large store reads many events of its period, links few).
    near = rules.Blocks()
    any_unlocated = any(not r["located"] for r in rows)  # they may match by name: decode all
    for r in rows:
        near.add(rules.Mark.of_record(r))
    marks = []
    for event_id, date, date_end, points, precision in conn.execute(
            sa.select(e.id, e.date, e.date_end, e.points, e.geo_precision).where(*where)):
        date, date_end, points = str(_iso(date)), _iso(date_end), decode_points(points)
        located = [p for p in points if p is not None]
        if located and not any_unlocated:
            probe = rules.Mark(id=event_id, day=dt.date.fromisoformat(date).toordinal(),
                               last=dt.date.fromisoformat(date_end or date).toordinal(), points=located,
                               names=frozenset(), province=None, cumulative=False, family=None,
                               actors=frozenset())
            if not near.near(probe):
                continue
        marks.append((event_id, date, date_end, points, precision))
    sources: dict[str, str] = {}
    for chunk in chunks([m[0] for m in marks], 2000):
        sources.update((row[0], row[1]) for row in conn.execute(sa.select(e.id, e.sources).where(e.id.in_(chunk))))
    return [_mark(*m, json.loads(sources[m[0]])) for m in marks]


def _mark(event_id: str, date: str, date_end: str | None, points: list, precision: int | None,
          records: list[dict]) -> rules.Mark:
    for rec in records:
        rec["points"] = [tuple(p) if p else None for p in rec.get("points") or []]
        rec.setdefault("places", [])
    parts = [rules.Mark.of_record(r) for r in records]
    return rules.Mark(
        id=event_id, day=dt.date.fromisoformat(date).toordinal(),
        last=dt.date.fromisoformat(date_end or date).toordinal(),
        points=[p for p in points if p is not None],
        names=frozenset().union(*(m.names for m in parts)),
        province=next((m.province for m in parts if m.province), None),
        cumulative=all(m.cumulative for m in parts),
        family=next((m.family for m in parts if m.family), None),
        actors=frozenset().union(*(m.actors for m in parts)),
        precise=(precision or 9) <= 1,
        datasets=frozenset().union(*(m.datasets for m in parts)),
        reports=frozenset().union(*(m.reports for m in parts)),
        records=records)


def _iso(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


# --- splitting, joining, undoing -------------------------------------------------------------------

def records_of(conn: sa.Connection, event_id: str) -> list[str]:
    c = incidents_table.c
    return list(conn.execute(sa.select(c.id).where(c.event_id == event_id).order_by(c.date, c.id)).scalars())


def split(conn: sa.Connection, event_id: str, record_ids: Sequence[str]) -> str:
    """Move records out of an event into a new event of their own; returns the new event's id."""
    members = records_of(conn, event_id)
    if not members:
        raise EventEditError(f"no event {event_id!r}; `python -m geo events list` shows the events")
    wanted = list(dict.fromkeys(record_ids))
    strangers = [r for r in wanted if r not in members]
    if strangers:
        raise EventEditError(f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not a record "
                             f"of event {event_id}; its records are {', '.join(members)}")
    if not wanted or len(wanted) == len(members):
        raise EventEditError(f"name some but not all of event {event_id}'s records to split off "
                             f"(its records are {', '.join(members)})")
    ordered = [r for r in members if r in wanted]
    new_id = _free_event_id(conn, ordered[0])  # the founding record leaving: "<id>~2"
    moves = {r: new_id for r in ordered}
    _reassign(conn, "split", moves, f"by hand: split off {', '.join(ordered)}")
    return new_id


def join(conn: sa.Connection, event_ids: Sequence[str]) -> str:
    """Move the records of every event after the first into the first; returns its id."""
    ids = list(dict.fromkeys(event_ids))
    if len(ids) < 2:
        raise EventEditError("name two or more events to join")
    moves: dict[str, str] = {}
    for event_id in ids:
        members = records_of(conn, event_id)
        if not members:
            raise EventEditError(f"no event {event_id!r}; `python -m geo events list` shows the events")
        if event_id != ids[0]:
            moves.update((r, ids[0]) for r in members)
    _reassign(conn, "join", moves, f"by hand: joined {', '.join(ids[1:])} into {ids[0]}")
    return ids[0]


def regroup(conn: sa.Connection, groups: dict[str, list[str]]) -> int:
    """Make each group of records one event under the group's id (an exported event imported
    back); returns how many groups had to move records."""
    c = incidents_table.c
    moves: dict[str, str] = {}
    for event_id, record_ids in groups.items():
        now = dict(conn.execute(sa.select(c.id, c.event_id).where(c.id.in_(record_ids))).all())
        members = set(records_of(conn, event_id))
        if set(now.values()) == {event_id} and members == set(now):
            continue
        moves.update((r, event_id) for r in now)
    if moves:
        _reassign(conn, "join", moves, "by hand: as the imported file grouped them")
    return len({moves[r] for r in moves})


def undo(conn: sa.Connection) -> str:
    """Undo the last split or join not yet undone; returns what was undone, in words."""
    t = event_edits_table.c
    last = conn.execute(sa.select(t.number, t.action, t.before).where(t.undone.is_(False),
                                                                      t.action != "undo")
                        .order_by(t.number.desc()).limit(1)).first()
    if last is None:
        raise EventEditError("there is no split or join to undo")
    before = json.loads(last.before)
    _reassign(conn, "undo", before, f"by hand: undid {last.action} #{last.number}")
    conn.execute(event_edits_table.update().where(t.number == last.number).values(undone=True))
    return f"undid {last.action} #{last.number} ({len(before)} record{'s' if len(before) != 1 else ''} moved back)"


def _reassign(conn: sa.Connection, action: str, moves: dict[str, str], reason: str) -> None:
    """Move records to events, log the edit with where they were, recompute every event touched."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LINK_LOCK})")
    c = incidents_table.c
    before = dict(conn.execute(sa.select(c.id, c.event_id).where(c.id.in_(list(moves)))).all())
    conn.execute(incidents_table.update().where(c.id == sa.bindparam("rid"))
                 .values(event_id=sa.bindparam("eid")),
                 [{"rid": r, "eid": e} for r, e in moves.items()])
    conn.execute(event_edits_table.insert().values(
        action=action, before=json.dumps(before), after=json.dumps(moves), undone=False,
        made=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
    touched = set(before.values()) | set(moves.values())
    recompute_events(conn, touched, {e: [reason] for e in set(moves.values())})


def _free_event_id(conn: sa.Connection, wanted: str) -> str:
    e = events_table.c
    candidate, n = wanted, 1
    while conn.execute(sa.select(e.id).where(e.id == candidate)).first() is not None:
        n += 1
        candidate = f"{wanted}~{n}"
    return candidate
