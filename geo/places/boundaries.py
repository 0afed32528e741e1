"""Province outlines: fetch geoBoundaries, add any polygon file, load them, place incidents in them
(point-in-polygon) and draw them as a choropleth of reported deaths.

Outlines live in `data/boundaries/` (or $STRIKE_ATLAS_BOUNDARIES) as `<ISO3>_ADM<level>.geojson`
with columns name, province (canonical for Syrian governorates), country (ISO alpha-2), and a
`.json` sidecar holding licence and credit. Without outlines everything else works.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from geo import provinces
from geo.formats.countries import iso3_to_alpha2
from geo.model import Incident
from geo.settings import DATA_DIR, user_agent

API_BASE = "https://www.geoboundaries.org/api/current/gbOpen"
BOUNDARIES_ENV = "STRIKE_ATLAS_BOUNDARIES"
DEFAULT_DIR = DATA_DIR / "boundaries"
BUNDLED_DIR = DATA_DIR / "basemap"  # Syria's governorates, bundled (geo/map/basemap.py made them)

# Choropleth classes, light to dark blue for reported deaths (blue so the red incident markers
# stand out on them); no deaths is grey.
COLOURS = ("#bdd7e7", "#6baed6", "#3182bd", "#08519c", "#08306b")  # apart under deuteranopia (tests/test_palettes.py)
NO_DEATHS = "#f4f4f4"


class BoundaryError(RuntimeError):
    """Outlines cannot be fetched, read or installed; the message says what to do."""


@dataclass
class Installed:
    """An installed outline file and what the install noticed."""

    path: Path
    features: int
    credit: str
    unmatched: list[str] = field(default_factory=list)  # level-1 names that are no known governorate


def boundaries_dir() -> Path:
    return Path(os.environ.get(BOUNDARIES_ENV) or DEFAULT_DIR)


def outlines_dir(level: int = 1) -> Path:
    """Where the map's outlines of a level come from: the installed ones; when nothing is installed
    in the default folder, Syria's governorates bundled with the project (level 1), so the
    choropleth needs no download. A folder named in $STRIKE_ATLAS_BOUNDARIES is used as it is."""
    folder = boundaries_dir()
    if os.environ.get(BOUNDARIES_ENV) or level != 1:
        return folder
    if folder.is_dir() and any(folder.glob(f"*_ADM{int(level)}.geojson")):
        return folder
    return BUNDLED_DIR


# --- installing ---------------------------------------------------------------------------------

def fetch(country: str = "SYR", level: int = 1, api_base: str = API_BASE,
          directory: Path | None = None, timeout: float = 60) -> Installed:
    """Download geoBoundaries gbOpen outlines (the API names the simplified GeoJSON's address)."""
    import requests

    iso3 = _iso3(country)
    api_url = f"{api_base.rstrip('/')}/{iso3}/ADM{int(level)}/"
    meta = _get(requests, api_url, timeout, "the geoBoundaries API").json_or_error()
    if isinstance(meta, list):  # the API answers a list when asked for several
        meta = meta[0] if meta else {}
    if not isinstance(meta, dict):
        raise BoundaryError(f"{api_url} did not answer a geoBoundaries record")
    geojson_url = meta.get("simplifiedGeometryGeoJSON") or meta.get("gjDownloadURL")
    if not geojson_url:
        raise BoundaryError(f"{api_url} gives no GeoJSON address (simplifiedGeometryGeoJSON); "
                            "download the file yourself and use `boundaries add`")
    content = _get(requests, geojson_url, timeout, "the boundary file").content
    frame = _read_polygons(io.BytesIO(content), geojson_url)
    licence = str(meta.get("boundaryLicense") or "see geoBoundaries")
    source = str(meta.get("boundarySource") or "geoBoundaries")
    credit = (f"Boundaries: geoBoundaries (Runfola et al. 2020), gbOpen {iso3} ADM{level}, "
              f"{source}, {licence}")
    sidecar = {"origin": geojson_url, "api": api_url, "licence": licence, "source": source,
               "credit": credit, "boundary_id": meta.get("boundaryID"),
               "year": meta.get("boundaryYearRepresented")}
    return _install(frame, iso3, level, "shapeName", sidecar, directory)


def add(path: str | Path, level: int, name_field: str, country: str = "SYR",
        licence: str | None = None, credit: str | None = None,
        directory: Path | None = None) -> Installed:
    """Install any polygon file geopandas reads (GeoJSON, GeoPackage, shapefile) as outlines."""
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"{path}: no such file")
    frame = _read_polygons(path, str(path))
    if name_field not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != frame.geometry.name)
        raise BoundaryError(f"{path} has no field {name_field!r}; its fields: {fields}")
    sidecar = {"origin": str(path.resolve()), "licence": licence or "not stated",
               "source": str(path.name), "credit": credit or f"Boundaries: {path.name}"}
    return _install(frame, _iso3(country), level, name_field, sidecar, directory)


def installed(directory: Path | None = None) -> list[dict[str, Any]]:
    """The sidecars of the installed outline files (country, level, licence, credit…)."""
    folder = directory or boundaries_dir()
    if not folder.is_dir():
        return []
    found = []
    for sidecar in sorted(folder.glob("*_ADM*.json")):
        try:
            found.append(json.loads(sidecar.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


def _install(frame, iso3: str, level: int, name_field: str, sidecar: dict[str, Any],
             directory: Path | None) -> Installed:
    import geopandas as gpd

    alpha2 = iso3_to_alpha2(iso3) or iso3[:2]
    names = [None if _blank(v) else str(v).strip() for v in frame[name_field].tolist()]
    codes = frame["shapeISO"].tolist() if "shapeISO" in frame.columns else [None] * len(names)
    canonical, unmatched = [], []
    for name, code in zip(names, codes):
        province = _province_name(alpha2, level, name, None if _blank(code) else str(code))
        if level == 1 and alpha2 == "SY" and province is None:
            unmatched.append(name or str(code))
        canonical.append(province)
    out = gpd.GeoDataFrame({"name": [n or p or "" for n, p in zip(names, canonical)],
                            "province": canonical, "country": alpha2},
                           geometry=frame.geometry.values, crs="EPSG:4326")
    folder = directory or boundaries_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{iso3}_ADM{int(level)}.geojson"
        if target.exists():
            target.unlink()
        out.to_file(target, driver="GeoJSON", engine="pyogrio")
        sidecar = {"country": iso3, "level": int(level), "name_field": name_field,
                   "features": len(out), "installed": dt.datetime.now(dt.timezone.utc)
                   .isoformat(timespec="seconds"), **sidecar}
        target.with_suffix(".json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False),
                                               encoding="utf-8")
    except OSError as exc:
        raise BoundaryError(f"cannot write outlines into {folder}: {exc}") from None
    return Installed(target, len(out), sidecar["credit"], unmatched)


def _province_name(alpha2: str, level: int, name: str | None, code: str | None) -> str | None:
    if level != 1:
        return None  # districts are drawn, never taken for governorates
    if alpha2 != "SY":
        return name
    return provinces.normalise(name) or provinces.normalise(code)


def _read_polygons(source, label: str):
    import geopandas as gpd
    import pyogrio

    try:
        frame = gpd.read_file(source, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise BoundaryError(f"{label} is not a readable polygon file: {exc}") from None
    if frame.empty:
        raise BoundaryError(f"{label} holds no features")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds or not kinds <= {"Polygon", "MultiPolygon"}:
        raise BoundaryError(f"{label} is not a polygon layer (found {', '.join(sorted(kinds)) or 'no geometry'})")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


class _get:
    """GET a URL; network and HTTP failures become BoundaryError sentences."""

    def __init__(self, requests, url: str, timeout: float, what: str):
        self.url = url
        try:
            response = requests.get(url, timeout=timeout,
                                    headers={"User-Agent": user_agent("province outlines")})
        except requests.exceptions.Timeout:
            raise BoundaryError(f"{what} at {url} did not answer within {timeout:.0f} s; retry later") from None
        except requests.exceptions.RequestException as exc:
            raise BoundaryError(f"cannot reach {what} at {url} ({type(exc).__name__}); check the "
                                "network, or download the file elsewhere and use `boundaries add`") from None
        if response.status_code == 404:
            raise BoundaryError(f"{what} has nothing at {url} (HTTP 404): check the country code "
                                "(ISO3, e.g. SYR) and the level")
        if response.status_code >= 400:
            raise BoundaryError(f"{what} at {url} answered HTTP {response.status_code}; retry later")
        self.content = response.content

    def json_or_error(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            raise BoundaryError(f"{self.url} did not answer JSON; is --api-base right?") from None


def _iso3(country: str) -> str:
    code = country.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise BoundaryError(f"{country!r} is not an ISO3 country code (e.g. SYR)")
    return code


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


# --- using --------------------------------------------------------------------------------------

def load_outlines(level: int = 1, directory: Path | None = None):
    """All installed outlines of a level as one GeoDataFrame (name, province, country), or None."""
    folder = directory or boundaries_dir()
    files = sorted(folder.glob(f"*_ADM{int(level)}.geojson")) if folder.is_dir() else []
    if not files:
        return None
    import geopandas as gpd
    import pandas as pd

    frames, credits = [], []
    for path in files:
        try:
            frames.append(gpd.read_file(path, engine="pyogrio"))
        except Exception:  # a damaged file is skipped rather than breaking the map
            continue
        sidecar = path.with_suffix(".json")
        if sidecar.exists():
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # unreadable or not JSON: the outlines draw without credit
                meta = None
            if isinstance(meta, dict) and isinstance(meta.get("credit"), str):
                credits.append(meta["credit"])
    if not frames:
        return None
    outlines = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    outlines.attrs["credit"] = "; ".join(c for c in credits if c)
    return outlines


def assign_provinces(incidents: Iterable[Incident], outlines) -> int:
    """Give incidents without a province the one their first located point falls in; returns how many."""
    if outlines is None or len(outlines) == 0:
        return 0
    candidates = [inc for inc in incidents if inc.province is None and inc.located]
    if not candidates:
        return 0
    import geopandas as gpd
    from shapely import points

    usable = outlines[outlines["province"].notna()][["province", "country", "geometry"]]
    located = [inc.located[0][1] for inc in candidates]
    marks = gpd.GeoDataFrame({"n": range(len(candidates)),
                              "inc_country": [inc.country for inc in candidates]},
                             geometry=points([p[0] for p in located], [p[1] for p in located]),
                             crs="EPSG:4326")
    joined = gpd.sjoin(marks, usable, how="inner", predicate="within")
    joined = joined[joined["inc_country"] == joined["country"]].drop_duplicates("n")
    for n, province in zip(joined["n"].tolist(), joined["province"].tolist()):
        candidates[n].province = province  # canonical already: names were normalised on install
    return len(joined)


def class_breaks(highest: int) -> list[int]:
    """Lower bounds of the colour classes for deaths 1..highest (at most len(COLOURS) classes)."""
    if highest <= 0:
        return []
    steps = min(len(COLOURS), highest)
    return sorted({1 + math.floor(i * highest / steps) for i in range(steps)})


def colour_for(deaths: int, breaks: list[int]) -> str:
    if deaths <= 0 or not breaks:
        return NO_DEATHS
    index = max(i for i, low in enumerate(breaks) if deaths >= low)
    return COLOURS[index]


def legend_rows(breaks: list[int], highest: int) -> list[list[str]]:
    """The choropleth's key: [label, colour] for no deaths, then one row per class."""
    rows = [["0", NO_DEATHS]]
    for i, low in enumerate(breaks):
        high = breaks[i + 1] - 1 if i + 1 < len(breaks) else highest
        rows.append([f"{low:,}" if low == high else f"{low:,}–{high:,}", COLOURS[i]])
    return rows


def outline_layer(outlines, deaths_by_province: dict[str, int], selected: Iterable[str] | None = None):
    """The outlines filled by reported deaths, with a tooltip, a legend section and the credit in
    the map's attribution; a feature group for a map made by `geo.map.view.base_map`.

    `selected` (the dashboard's province filter) makes provinces clickable and outlines the chosen
    ones; a click returns the feature's `province` through st_folium (see mapview.clicked_province).
    Names are drawn as text by the runtime, never as HTML.
    """
    from geo.map.layer import to_json
    from geo.map.view import runtime_layer

    shapes, names, province_of = _shapes(outlines)
    chosen = set(selected or ())
    highest = max(deaths_by_province.values(), default=0)
    breaks = class_breaks(highest)
    props = []
    for name, province in zip(names, province_of):
        deaths = int(deaths_by_province.get(province, 0)) if province else 0
        props.append({"p": province or "", "l": province or name, "d": deaths,
                      "c": colour_for(deaths, breaks), "s": province in chosen})
    rest = to_json({"props": props, "selectable": selected is not None,
                    "credit": outlines.attrs.get("credit", ""),
                    "legend": {"title": "Reported deaths per province", "scope": "in this selection",
                               "rows": legend_rows(breaks, highest)}})
    return runtime_layer("Province outlines", "outlines", '{"shapes":' + shapes + "," + rest[1:])


SIMPLIFY_ABOVE = 50_000  # vertices; larger outline files are simplified to about 100 m for drawing
_shape_cache: dict[int, tuple[Any, tuple[str, list[str], list[str | None]]]] = {}


def _shapes(outlines) -> tuple[str, list[str], list[str | None]]:
    """The outlines' geometries as one JSON array (coordinates to 1e-4°, about 10 m), their names
    and provinces; computed once per loaded outlines frame."""
    import weakref

    import numpy as np
    import shapely

    cached = _shape_cache.get(id(outlines))
    if cached is not None and cached[0]() is outlines:
        return cached[1]
    frame = outlines[outlines.geometry.notna() & ~outlines.geometry.is_empty]
    geometries = frame.geometry.values
    if shapely.get_num_coordinates(geometries).sum() > SIMPLIFY_ABOVE:
        geometries = shapely.simplify(geometries, 0.001, preserve_topology=True)
    rounded = shapely.transform(geometries, lambda xy: np.round(xy, 4))
    shapes = "[" + ",".join(shapely.to_geojson(rounded)) + "]"
    names = ["" if _blank(n) else str(n) for n in frame["name"].tolist()]
    province_of = [None if _blank(p) else str(p) for p in frame["province"].tolist()]
    result = (shapes, names, province_of)
    _shape_cache.clear()  # one set of outlines is in use at a time
    _shape_cache[id(outlines)] = (weakref.ref(outlines), result)
    return result
