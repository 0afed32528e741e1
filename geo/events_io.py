"""Events in files: one feature (or row) per event with its `grade` and `sources` (the records,
geo.events.SOURCE_KEYS), and back: a file of exported events gives its records and which event
each belongs to, so an import restores both."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Mapping

from geo.model import Incident

EVENT_COLUMNS = ("grade", "records", "sources", "link_reasons")


def event_features(events: Iterable[Incident], details: Mapping[str, Any]) -> list[dict]:
    """GeoJSON Features of events (Incident-shaped rows of the events table) with their details."""
    features = []
    for event in events:
        feature = event.to_feature()
        d = details.get(event.id)
        props = feature["properties"]
        props["grade"] = d.grade if d else None
        props["records"] = d.records if d else 1
        props["sources"] = d.sources if d else []
        props["link_reasons"] = d.link_reasons if d else []
        features.append(feature)
    return features


def events_geojson(events: Iterable[Incident], details: Mapping[str, Any]) -> bytes:
    collection = {"type": "FeatureCollection", "features": event_features(events, details)}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def events_csv(events: Iterable[Incident], details: Mapping[str, Any]) -> bytes:
    """The project's CSV columns, then grade, records, sources (JSON) and link_reasons (JSON)."""
    from geo.formats.csv import COLUMNS, safe_cell, to_row
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *EVENT_COLUMNS], lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = to_row(event)
        d = details.get(event.id)
        row.update(grade=d.grade if d else "", records=str(d.records if d else 1),
                   sources=safe_cell(json.dumps(d.sources if d else [], ensure_ascii=False)),
                   link_reasons=safe_cell(json.dumps(d.link_reasons if d else [], ensure_ascii=False)))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def records_of_event(event_id: str, sources: Any) -> list[Incident] | None:
    """The records an exported event lists in `sources` (a list, or its JSON text); None when
    the value is not such a list (an ordinary incident file)."""
    if isinstance(sources, str):
        text = sources[1:] if sources.startswith("'") else sources  # safe_cell's quote
        try:
            sources = json.loads(text)
        except ValueError:
            return None
    if not isinstance(sources, list) or not sources or not all(isinstance(s, dict) and s.get("id")
                                                                 for s in sources):
        return None
    return [Incident.from_dict({**s, "points": [tuple(p) if p else None for p in s.get("points") or []]
                                if s.get("points") is not None else None})
            for s in sources]
