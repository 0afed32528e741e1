"""GeoJSON (RFC 7946): a FeatureCollection of incidents, lon/lat WGS84, no `crs` member."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from geo.formats import FormatError, IncidentStream, ReadResult, Reject, read_text
from geo.model import Incident, ValidationError

_HEADER = b'{"type":"FeatureCollection","features":['
_FOOTER = b"]}"
_BATCH = 1000  # features encoded and written at a time


def to_feature_collection(incidents: Iterable[Incident]) -> dict:
    return {"type": "FeatureCollection", "features": [inc.to_feature() for inc in incidents]}


def dumps(incidents: Iterable[Incident]) -> str:
    """The incidents as a GeoJSON text."""
    buffer = io.BytesIO()
    write_geojson_bytes(incidents, buffer)
    return buffer.getvalue().decode("utf-8")


def write_geojson_bytes(incidents: Iterable[Incident], out: IO[bytes],
                        extra: Callable[[Incident], dict[str, Any]] | None = None) -> int:
    """Write a FeatureCollection feature by feature, in constant memory; returns how many.
    `extra` gives more properties per incident (an exported event's grade and sources)."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out.write(_HEADER)
    count = 0
    batch: list[str] = []
    for inc in incidents:
        feature = inc.to_feature()
        if extra is not None:
            feature["properties"].update(extra(inc))
        batch.append(encode(feature))
        count += 1
        if len(batch) == _BATCH:
            out.write(((b"," if count > _BATCH else b"") + ",".join(batch).encode("utf-8")))
            batch = []
    if batch:
        out.write((b"," if count > len(batch) else b"") + ",".join(batch).encode("utf-8"))
    out.write(_FOOTER)
    return count


def write_geojson(incidents: Iterable[Incident], out: str | Path | IO[str]) -> int:
    """Write to a path (streamed) or a text file; returns how many incidents were written."""
    if hasattr(out, "write"):
        buffer = io.BytesIO()
        count = write_geojson_bytes(incidents, buffer)
        out.write(buffer.getvalue().decode("utf-8"))
        return count
    with open(out, "wb") as handle:
        return write_geojson_bytes(incidents, handle)


def loads(text: str) -> ReadResult:
    """Incidents from a GeoJSON text; features that fail validation become rejects."""
    return _stream(text).collect()


def iter_geojson(path: str | Path) -> IncidentStream:
    """Incidents from a GeoJSON file, validated feature by feature as the stream is read (the
    JSON itself is parsed whole: FormatError at once if it is not GeoJSON)."""
    return _stream(read_text(path))


def _stream(text: str) -> IncidentStream:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        what = exc.msg[:-3] if exc.msg.endswith(" at") else exc.msg  # "Unterminated string starting at"
        raise FormatError(f"not valid JSON: {what} at line {exc.lineno}, column {exc.colno}; the file "
                          "is damaged or cut short: export or download it again") from None
    except RecursionError:
        raise FormatError("not readable GeoJSON: nested deeper than the JSON reader allows "
                          "(about 1,000 levels); an incident file needs only a few") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise FormatError(f"not readable JSON: {str(exc).split(';')[0]}") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        given: Any = data.get("features")
        features = [] if given is None else given
        if not isinstance(features, list):
            raise FormatError("not GeoJSON: a FeatureCollection's \"features\" must be a list of "
                              "Feature objects")
    else:
        raise FormatError("not GeoJSON: expected a FeatureCollection or a Feature")
    stream = IncidentStream(total=len(features))
    return stream.feed(_features(features, stream))


def _features(features: list, stream: IncidentStream) -> Iterator[Incident]:
    for number, feature in enumerate(features, start=1):
        stream.read += 1
        raw = feature if isinstance(feature, dict) else None
        try:
            records = _event_records(stream, feature) if raw is not None else None
            if records is not None:
                yield from records
                continue
            yield Incident.from_feature(feature)
        except ValidationError as exc:
            stream.rejects.append(Reject(number, f"feature {number}: {exc}", raw))
        except RecursionError:
            stream.rejects.append(Reject(number, f"feature {number}: is nested too deeply to be an "
                                         "incident", None))
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
            from geo.formats.tabular import unexpected
            stream.rejects.append(Reject(number, f"feature {number}: {unexpected(exc)}", raw))


def read_geojson(path: str | Path) -> ReadResult:
    return iter_geojson(path).collect()


def _event_records(stream: IncidentStream, feature: dict) -> list[Incident] | None:
    """An exported event (it lists its records in `sources`): its records, noted as one event."""
    from geo.formats.events import records_of_event
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return None
    event_id = str(feature.get("id") or props.get("id"))
    records = records_of_event(event_id, props.get("sources"))
    if records is not None:
        stream.events[event_id] = [r.id for r in records]
    return records

