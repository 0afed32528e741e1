"""GeoPackage through pyogrio: one layer "incidents", the model's columns, EPSG:4326.

Geometry is a Point (one located place) or MultiPoint (several); an incident with no located place
is kept with an empty geometry. `places` and `not_located` are joined with "; ". Reading also
accepts a layer holding ACLED or UCDP columns.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable

from geo.formats import FormatError, IncidentStream, ReadResult
from geo.formats.tabular import Progress, collect, map_rows
from geo.model import COUNT_FIELDS, FIELDS, Incident

LAYER = "incidents"
BATCH = 50_000  # features read or written at a time
_SEP = "; "


def to_geodataframe(incidents: Iterable[Incident]):
    """A GeoDataFrame with the model's columns (places joined "; ") and Point/MultiPoint geometry."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import shape

    columns: dict[str, list[Any]] = {name: [] for name in (*FIELDS, "not_located")}
    geometries = []
    for inc in incidents:
        for name, value in inc.properties().items():
            columns[name].append(_SEP.join(value) if name == "places" else value)
        columns["not_located"].append(_SEP.join(inc.unlocated) or None)
        geometry = inc.geometry()
        geometries.append(shape(geometry) if geometry else None)
    frame = pd.DataFrame(columns)
    for name in (*COUNT_FIELDS, "geo_precision"):
        frame[name] = pd.array(columns[name], dtype="Int64")
    frame["cumulative"] = frame["cumulative"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=geometries, crs="EPSG:4326")


def write_gpkg(incidents: Iterable[Incident], path: str | Path) -> int:
    """Write the layer in batches of BATCH incidents, appended one after another (memory does not
    grow with the selection); returns how many were written."""
    from itertools import islice

    import pyogrio

    it = iter(incidents)
    count = 0
    while True:
        batch = list(islice(it, BATCH))
        if not batch and count:
            return count
        pyogrio.write_dataframe(to_geodataframe(batch), str(path), layer=LAYER, driver="GPKG",
                                promote_to_multi=False, geometry_type="Unknown",
                                append=count > 0)
        count += len(batch)
        if len(batch) < BATCH:
            return count


def write_gpkg_bytes(incidents: Iterable[Incident], out: IO[bytes]) -> int:
    """Write a GeoPackage into a binary file (through a temporary file: SQLite needs one)."""
    handle, name = tempfile.mkstemp(suffix=".gpkg")
    os.close(handle)
    os.unlink(name)  # pyogrio creates the file itself
    try:
        count = write_gpkg(incidents, name)
        with open(name, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        return count
    finally:
        for leftover in (name, name + "-journal", name + "-wal", name + "-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def dumps(incidents: Iterable[Incident]) -> bytes:
    """The GeoPackage file's bytes."""
    buffer = io.BytesIO()
    write_gpkg_bytes(incidents, buffer)
    return buffer.getvalue()


def read_gpkg(path: str | Path, progress: Progress | None = None, layer: str | None = None) -> ReadResult:
    """Incidents from a GeoPackage layer (ours, or one with ACLED/UCDP columns); bad rows → rejects."""
    return collect(iter_gpkg(path, layer), progress)


def iter_gpkg(path: str | Path, layer: str | None = None) -> IncidentStream:
    """Incidents from a GeoPackage layer, read BATCH features at a time as the stream is consumed
    (FormatError at once when the file or layer cannot be read)."""
    import geopandas as gpd

    layer, total = _layer(path, layer)
    frame = _read_frame(path, layer, 0, 1)
    geometry_column = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None  # a plain table
    columns = [str(c) for c in frame.columns if c != geometry_column]
    lowered = [c.lower() for c in columns]
    from geo.formats import acled, ucdp

    stream = IncidentStream(total=total)
    for dataset in (acled, ucdp):
        if dataset.matches(lowered):
            rows = (tuple(_as_text(v) for v in values)
                    for part in _frames(path, layer, total) for values in _values(part, columns))
            return map_rows(lowered, rows, dataset.from_row, stream=stream, first_line=1)
    if "date" not in lowered:
        raise FormatError(f"{path}: layer has no 'date' column and is not an ACLED or UCDP layer; "
                          "columns found: " + ", ".join(columns[:15]))
    if geometry_column is None:
        raise FormatError(f"{path}: layer has no geometry column, so its places cannot be located; "
                          "export it again with its points")
    rows = ((*values, geometry) for part in _frames(path, layer, total)
            for values, geometry in zip(_values(part, columns), part.geometry.tolist()))
    return map_rows([*lowered, "__geometry__"], rows, _from_row, stream=stream, first_line=1)


def _values(frame, columns: list[str]):
    return zip(*(frame[c].tolist() for c in columns))


def _frames(path: str | Path, layer: str, total: int):
    for skip in range(0, max(total, 1), BATCH):
        yield _read_frame(path, layer, skip, BATCH)


def _layer(path: str | Path, layer: str | None) -> tuple[str, int]:
    """The layer to read (ours, else the first) and its number of features."""
    import pyogrio

    from geo.formats.detect import SQLITE_MAGIC

    with open(path, "rb") as handle:  # OGR would read a CSV or GeoJSON too, without our checks
        if not handle.read(len(SQLITE_MAGIC)).startswith(SQLITE_MAGIC):
            raise FormatError(f"{path} is not a GeoPackage (not an SQLite file); choose its own "
                              "format, or auto")
    try:
        layers = pyogrio.list_layers(str(path))
        if layer is None:
            names = [str(name) for name, _ in layers]
            layer = LAYER if LAYER in names else (names[0] if names else None)
        if layer is None:
            raise FormatError(f"{path} holds no layers")
        info = pyogrio.read_info(str(path), layer=layer)
    except FormatError:
        raise
    except Exception as exc:  # GDAL's errors, and decoding errors from a damaged file
        raise FormatError(f"{path} is not a readable GeoPackage ({_first_line(exc)}); "
                          "check that the file is complete, or export it again") from None
    if info.get("driver") not in ("GPKG", "SQLite"):  # GDAL fell back to reading it as text
        raise FormatError(f"{path} starts like an SQLite database but is not a readable GeoPackage; "
                          "check that the file is complete, or export it again")
    return layer, int(info.get("features") or 0)


def _read_frame(path: str | Path, layer: str, skip: int, count: int):
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(str(path), layer=layer, skip_features=skip, max_features=count)
    except pyogrio.errors.DataLayerError as exc:
        raise FormatError(f"{path}: cannot read layer {layer!r}: {_first_line(exc)}") from None
    except Exception as exc:  # GDAL's errors, and decoding errors from a damaged file
        raise FormatError(f"{path} is not a readable GeoPackage ({_first_line(exc)}); "
                          "check that the file is complete, or export it again") from None
    if getattr(frame, "crs", None) is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _from_row(row: dict[str, Any]) -> Incident:
    geometry = row.get("__geometry__")
    props = {k: _as_value(v) for k, v in row.items() if k != "__geometry__"}
    props["places"] = [p.strip() for p in (props.get("places") or "").split(";") if p.strip()]
    props["not_located"] = [p.strip() for p in (props.get("not_located") or "").split(";") if p.strip()]
    feature = {"type": "Feature",
               "geometry": None if geometry is None or geometry.is_empty else geometry.__geo_interface__,
               "properties": props}
    return Incident.from_feature(feature)


def _as_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _as_text(value: Any) -> str:
    value = _as_value(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
