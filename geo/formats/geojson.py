"""GeoJSON (RFC 7946): a FeatureCollection of incidents, lon/lat WGS84, no `crs` member."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Iterable

from geo.formats import FormatError, ReadResult, Reject, read_text
from geo.model import Incident, ValidationError


def to_feature_collection(incidents: Iterable[Incident]) -> dict:
    return {"type": "FeatureCollection", "features": [inc.to_feature() for inc in incidents]}


def dumps(incidents: Iterable[Incident]) -> str:
    """The incidents as a GeoJSON text."""
    return json.dumps(to_feature_collection(incidents), ensure_ascii=False, separators=(",", ":"))


def write_geojson(incidents: Iterable[Incident], out: str | Path | IO[str]) -> None:
    text = dumps(incidents)
    if hasattr(out, "write"):
        out.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")


def loads(text: str) -> ReadResult:
    """Incidents from a GeoJSON text; features that fail validation become rejects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    else:
        raise FormatError("not GeoJSON: expected a FeatureCollection or a Feature")
    result = ReadResult()
    for number, feature in enumerate(features, start=1):
        try:
            if not isinstance(feature, dict):
                raise ValidationError("feature", "is not an object")
            if _add_event_records(result, feature):
                continue
            result.incidents.append(Incident.from_feature(feature))
        except (ValidationError, TypeError, ValueError, KeyError, IndexError) as exc:
            result.rejects.append(Reject(number, f"feature {number}: {exc}",
                                         feature if isinstance(feature, dict) else None))
    return result


def read_geojson(path: str | Path) -> ReadResult:
    return loads(read_text(path))


def _add_event_records(result: ReadResult, feature: dict) -> bool:
    """An exported event (it lists its records in `sources`): its records, and the event they form."""
    from geo.events_io import records_of_event
    props = feature.get("properties") or {}
    records = records_of_event(str(feature.get("id") or props.get("id")), props.get("sources"))
    if records is None:
        return False
    result.incidents.extend(records)
    result.events[str(feature.get("id") or props.get("id"))] = [r.id for r in records]
    return True
