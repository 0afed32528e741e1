"""The offline base map: countries, rivers, lakes, Syria's governorates and town names.

The geography is bundled in `data/basemap/` (made once by `build` from the open files named in
data/README.md, simplified and rounded so it adds well under 300 KB to a page); the town names
come from the gazetteer (GeoNames), each with the lowest zoom at which it is drawn, chosen by
population. The runtime (static/strike_atlas.js, `StrikeAtlas.basemap`) draws all of it in panes
under the tiles, so it shows when tiles fail and the tiles cover it when they load.

    .venv/bin/python -m geo.map.basemap SOURCE_DIR   # rebuild data/basemap/ from the open files
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from geo.settings import DATA_DIR

BASEMAP_DIR = DATA_DIR / "basemap"
PROVINCES_FILE = "SYR_ADM1.geojson"  # boundaries' installed layout, so load_outlines reads it as is
LAYERS = {"countries": "countries.geojson", "rivers": "rivers.geojson", "lakes": "lakes.geojson"}
EXTENT = (33.0, 29.5, 45.5, 39.0)  # west, south, east, north: Syria and its neighbours
PRECISION = 3  # decimals of a degree kept (about 100 m)
SIMPLIFY = 0.004  # degrees; governorate outlines are simplified to about this before rounding
BOUNDARIES_CREDIT = ("Boundaries: geoBoundaries (Runfola et al. 2020), gbOpen SYR ADM1, "
                     "UN OCHA / UN Cartographic Section, CC BY 3.0 IGO")
BACKGROUND_CREDIT = "Background: Natural Earth (public domain)"
CREDIT = f"{BACKGROUND_CREDIT} · {BOUNDARIES_CREDIT}"

# Population → the lowest zoom a town's name is drawn at; the runtime also skips a name that would
# overlap one already drawn (bigger towns first).
LABEL_ZOOMS = ((1_000_000, 5), (250_000, 6), (100_000, 7), (40_000, 8), (10_000, 9), (2_000, 10), (0, 11))
LABEL_COUNTRIES = ("SY",)  # every Syrian town of the gazetteer's list; neighbours only when large
NEIGHBOUR_MIN_POPULATION = 250_000
MAX_LABELS = 900
NEAR = 0.06  # degrees (~6 km): a smaller place this close to a named one is not named
_ARABIC = re.compile(r"^[\u0621-\u064A\u064B-\u0652 ]+$")  # Arabic letters only (no Persian, Kurdish)


def label_zoom(population: int) -> int:
    """The lowest zoom at which a town of this population gets its name drawn."""
    return next(zoom for least, zoom in LABEL_ZOOMS if population >= least)


def arabic_name(names: Iterable[str]) -> str | None:
    """The first name written in Arabic letters alone, skipping split spellings ("د مشق")."""
    for name in names:
        name = name.strip()
        if (_ARABIC.match(name) and all(len(word) > 1 for word in name.split())
                and "\u0626\u0627" not in name):  # "ئا" opens Kurdish spellings (ئاممان)
            return name
    return None


def town_labels(places: Iterable[Any], extent: tuple[float, float, float, float] = EXTENT,
                limit: int = MAX_LABELS) -> list[list]:
    """[name, Arabic name or "", lon, lat, lowest zoom] for the towns to label, biggest first.

    `places` are gazetteer Places; a name appears once (the biggest place of that name)."""
    west, south, east, north = extent
    chosen: list = []
    seen: set[str] = set()
    for p in sorted(places, key=lambda p: -(p.population or 0)):
        if not (west <= p.longitude <= east and south <= p.latitude <= north) or p.name in seen:
            continue
        if p.country not in LABEL_COUNTRIES and (p.population or 0) < NEIGHBOUR_MIN_POPULATION:
            continue
        if not p.population and p.source not in ("geonames:cities500", "supplement"):
            continue  # villages of a fetched country dump: thousands, most without a population
        if any(abs(p.longitude - c[2]) < NEAR and abs(p.latitude - c[3]) < NEAR for c in chosen):
            continue  # a suburb of a bigger town already named (Al Mawsil al Jadidah by Mosul)
        seen.add(p.name)
        chosen.append([p.name, arabic_name(p.alternates) or "", round(p.longitude, PRECISION),
                       round(p.latitude, PRECISION), label_zoom(p.population or 0)])
        if len(chosen) >= limit:
            break
    return chosen


@cache
def _geography(folder: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in {**LAYERS, "provinces": PROVINCES_FILE}.items():
        path = Path(folder) / name
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError):  # a missing file leaves its layer out, never the map
            features = []
        features = [f for f in features if f.get("geometry")]
        out[key] = [f["geometry"] for f in features]
        if key == "countries":  # the runtime sets Syria apart by its name
            out["country_names"] = [(f.get("properties") or {}).get("name") or "" for f in features]
    return out


@cache
def _default_labels() -> tuple[tuple, ...]:
    from geo.places.gazetteer import default_gazetteer

    return tuple(tuple(label) for label in town_labels(default_gazetteer().places))


def payload(folder: Path | None = None, labels: list[list] | None = None) -> dict[str, Any]:
    """What `StrikeAtlas.basemap` draws: geometries per layer, town labels and the credit lines."""
    data = dict(_geography(str(folder or BASEMAP_DIR)))
    data["labels"] = labels if labels is not None else [list(label) for label in _default_labels()]
    data["credits"] = [BACKGROUND_CREDIT, BOUNDARIES_CREDIT]
    return data


# --- building data/basemap/ from the open files -------------------------------------------------

def build(source: Path, target: Path = BASEMAP_DIR) -> dict[str, int]:
    """Write the bundled base map from ../shared/data-like `source`; returns bytes per file written."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo import provinces

    target.mkdir(parents=True, exist_ok=True)
    written = {}

    def rounded(geometries, simplify: float | None = None):
        if simplify:
            geometries = shapely.simplify(geometries, simplify, preserve_topology=True)
        return shapely.transform(geometries, lambda xy: np.round(xy, PRECISION))

    def write(name: str, features: list[dict]) -> None:
        text = json.dumps({"type": "FeatureCollection", "features": features},
                          ensure_ascii=False, separators=(",", ":"))
        (target / name).write_text(text + "\n", encoding="utf-8")
        written[name] = len(text) + 1

    adm1 = gpd.read_file(source / "syr_adm1_geoboundaries.geojson", engine="pyogrio")
    features = []
    for row, geometry in zip(adm1.itertuples(), rounded(adm1.geometry.values, SIMPLIFY)):
        province = provinces.normalise(row.shapeName) or provinces.normalise(row.shapeISO)
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geometry)),
                         "properties": {"name": row.shapeName, "province": province, "country": "SY"}})
    write(PROVINCES_FILE, features)
    sidecar = {"country": "SYR", "level": 1, "features": len(features), "licence": "CC BY 3.0 IGO",
               "source": "geoBoundaries gbOpen SYR ADM1 (SYR-ADM1-8384693), bundled",
               "credit": BOUNDARIES_CREDIT}
    (target / PROVINCES_FILE).with_suffix(".json").write_text(
        json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key, name in LAYERS.items():
        frame = gpd.read_file(source / "basemap" / f"{key}_ne{'10m' if key == 'countries' else ''}.geojson",
                              engine="pyogrio")
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        geometries = rounded(frame.geometry.values)
        names = frame["name"].tolist() if "name" in frame.columns else [None] * len(frame)
        write(name, [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
                      "properties": {"name": n} if isinstance(n, str) else {}}
                     for g, n in zip(geometries, names) if not g.is_empty])
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m geo.map.basemap SOURCE_DIR  (the folder holding "
                 "syr_adm1_geoboundaries.geojson and basemap/)")
    for file, size in build(Path(sys.argv[1])).items():
        print(f"{file}: {size:,} bytes")
