"""GeoPackage through pyogrio: one layer "incidents", the model's columns, EPSG:4326.

Geometry is a Point (one located place) or MultiPoint (several); an incident with no located place
is kept with an empty geometry. `places` and `not_located` are joined with "; ". Reading also
accepts a layer holding ACLED or UCDP columns.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from geo.formats import FormatError, ReadResult
from geo.formats.tabular import Progress, map_rows
from geo.model import COUNT_FIELDS, FIELDS, Incident

LAYER = "incidents"
_SEP = "; "


def to_geodataframe(incidents: Iterable[Incident]):
    """A GeoDataFrame with the model's columns (places joined "; ") and Point/MultiPoint geometry."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import shape

    incidents = list(incidents)
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


def write_gpkg(incidents: Iterable[Incident], path: str | Path) -> None:
    import pyogrio

    pyogrio.write_dataframe(to_geodataframe(incidents), str(path), layer=LAYER, driver="GPKG",
                            promote_to_multi=False)


def dumps(incidents: Iterable[Incident]) -> bytes:
    """The GeoPackage file's bytes (written to a temporary file: SQLite needs one)."""
    handle, name = tempfile.mkstemp(suffix=".gpkg")
    os.close(handle)
    os.unlink(name)  # pyogrio creates the file itself
    try:
        write_gpkg(incidents, name)
        return Path(name).read_bytes()
    finally:
        for leftover in (name, name + "-journal", name + "-wal", name + "-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def read_gpkg(path: str | Path, progress: Progress | None = None, layer: str | None = None) -> ReadResult:
    """Incidents from a GeoPackage layer (ours, or one with ACLED/UCDP columns); bad rows → rejects."""
    import geopandas as gpd

    frame = _read_frame(path, layer)
    geometry_column = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None  # a plain table
    columns = [str(c) for c in frame.columns if c != geometry_column]
    lowered = [c.lower() for c in columns]
    from geo.formats import acled, ucdp

    for dataset in (acled, ucdp):
        if dataset.matches(lowered):
            rows = [tuple(_as_text(v) for v in values)
                    for values in zip(*(frame[c].tolist() for c in columns))]
            return map_rows(lowered, rows, dataset.from_row, len(rows), progress, first_line=1)
    if "date" not in lowered:
        raise FormatError(f"{path}: layer has no 'date' column and is not an ACLED or UCDP layer; "
                          "columns found: " + ", ".join(columns[:15]))
    if geometry_column is None:
        raise FormatError(f"{path}: layer has no geometry column, so its places cannot be located; "
                          "export it again with its points")
    geometries = frame.geometry.tolist()
    rows = [(*values, geometry) for values, geometry
            in zip(zip(*(frame[c].tolist() for c in columns)), geometries)]
    return map_rows([*lowered, "__geometry__"], rows, _from_row, len(rows), progress, first_line=1)


def _read_frame(path: str | Path, layer: str | None):
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
        frame = pyogrio.read_dataframe(str(path), layer=layer)
    except pyogrio.errors.DataSourceError as exc:
        raise FormatError(f"{path} is not a readable GeoPackage: {exc}") from None
    except pyogrio.errors.DataLayerError as exc:
        raise FormatError(f"{path}: cannot read layer {layer!r}: {exc}") from None
    if getattr(frame, "crs", None) is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


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
