"""Exported events: one feature (or row) per event with its `grade` and `sources` (its records,
geo.events.SOURCE_KEYS), and back: a file of exported events gives its records and which event
each belongs to, so an import restores both."""

from __future__ import annotations

import json
from typing import Any

from geo.model import Incident

EVENT_COLUMNS = ("grade", "records", "sources", "link_reasons")


def event_properties(details: Any) -> dict[str, Any]:
    """What an exported event carries beyond a record's properties (`Store.event_details` of it)."""
    return {"grade": details.grade if details else None, "records": details.records if details else 1,
            "sources": details.sources if details else [],
            "link_reasons": details.link_reasons if details else []}


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
