"""Incidents → a folium map that works offline and scales: fixed base map + one compact incident layer.

How the dashboard uses it (streamlit-folium 0.27)::

    install_static_assets(Path("static"))             # once at start; needs server.enableStaticServing
    st_folium(base_map(bounds=...), key="map",
              feature_group_to_add=[boundaries.outline_layer(outlines, deaths, selected),  # optional
                                    incident_layer(incidents)],
              returned_objects=["last_active_drawing"], on_change=...)  # provinces_after_click

`feature_group_to_add` carries custom JavaScript: st_folium evaluates each child's `script` macro
(it does not run header scripts), so the layer's data and the legend travel with the feature group,
while the renderer (geo/map/static/strike_atlas.js) ships once with the base map. Hence:
- `incident_layer` (and the outlines) must go on a map made by `base_map` (or use `build_map`);
- build `base_map()` afresh on each run (a few ms) rather than caching the Map object: st_folium
  attaches the feature group to the map it is given, and a map that changes remounts the component.

The layer draws every located place on one Leaflet canvas from a columnar JSON payload
(`geo.map.layer`), not one folium object per marker; above `AGGREGATE_ABOVE` places it draws grid
cells with summed deaths and the legend says so. Province outlines share that canvas, drawn first,
so markers stay on top and clickable. Popups, tooltips and the legend are built with DOM nodes and
textContent, so no report text is ever parsed as HTML. One legend per map, top right, with a
section per layer; folded to a "Legend" button on maps narrower than 700 px. A click on a province
outline makes st_folium return `last_active_drawing` = {"properties": {"province": …}}; clicks on
markers and pan/zoom return nothing (no rerun of the page).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from geo.map import basemap
from geo.map.assets import inline_script, install_static_assets, leaflet_css, leaflet_js, runtime_js
from geo.map.layer import (
    AGGREGATE_ABOVE,
    CHILDREN_KEY,
    COLOUR_BY,
    DETAIL_LIMIT,
    LayerData,
    layer_data,
    place_marks,
    radius,
    to_json,
)
from geo.model import Incident
from geo.provinces import PROVINCES
from geo.summary import extent

if TYPE_CHECKING:
    from geo.filters import Filters

__all__ = ["base_map", "incident_layer", "build_map", "to_html", "install_static_assets",
           "runtime_layer", "clicked_province", "provinces_after_click",
           "PALETTE", "COLOUR_BY", "AGGREGATE_ABOVE", "DETAIL_LIMIT", "place_marks", "radius"]

PALETTE = CHILDREN_KEY  # (label, colour) per share-of-children class; geo.map.layer has the actor key
CENTRE = (35.3, 40.1)  # lat, lon: the Euphrates valley between Raqqa and Deir ez-Zor
ZOOM = 8
BACKGROUND = "#e9e6df"  # shown where tiles are missing, so marks stay visible offline
GEONAMES_CREDIT = "Places: GeoNames (CC BY 4.0)"
CREDITS = f"{GEONAMES_CREDIT} · {basemap.CREDIT}"  # the offline layers; tiles credit themselves
TITLE = "Strike Atlas: reported incidents"
# Fitted views keep this clear (px) around the data: the zoom buttons and the folded legend along
# the top, scale and attribution along the bottom. An unfolded legend is allowed for by the runtime.
FIT_PADDING_TOP_LEFT = (40, 40)
FIT_PADDING_BOTTOM_RIGHT = (30, 30)
FIT_MAX_ZOOM = 11


class _Raw(Element):
    """Text placed in the page as is. branca's Element would parse it as a Jinja template: slow for
    megabytes of data, and report text such as "{{ … }}" would be evaluated."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text



def page(element: Element) -> Figure:
    """The HTML page (folium's Figure) an element is rendered into."""
    root = element.get_root()
    assert isinstance(root, Figure), "the element is not on a map page yet"
    return root


class _ScriptElement(MacroElement):
    """A MacroElement whose rendered script goes into the page verbatim (see _Raw)."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # folium's macros return nothing too
        script = self._template.module.__dict__["script"]
        page(self).script.add_child(_Raw(script(self, kwargs)), name=self.get_name())


class _MapSetup(_ScriptElement):
    """The renderer runtime, a plain background and the GeoNames credit, on the base map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        StrikeAtlas.setupMap({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, fit: dict | None = None, geography: dict | None = None) -> None:
        super().__init__()
        self._name = "StrikeAtlasSetup"
        self.runtime = inline_script(runtime_js())
        self.options = to_json({"background": BACKGROUND, "attribution": GEONAMES_CREDIT, "fit": fit,
                                "basemap": geography})


class _IncidentData(_ScriptElement):
    """The incidents' compact payload, drawn into the parent feature group by StrikeAtlas.draw."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.StrikeAtlas) {
            StrikeAtlas.draw({{ this._parent.get_name() }}, {{ this.payload }});
        } else {
            console.error("Strike Atlas: the incident layer needs a map made by geo.map.view.base_map");
        }
        {% endmacro %}
    """)

    def __init__(self, payload_json: str) -> None:
        super().__init__()
        self._name = "StrikeAtlasData"
        self.payload = payload_json


class Legend(_ScriptElement):
    """Size scale, colour key and notices (aggregation, unlocated places), shown with its parent."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.StrikeAtlas) { StrikeAtlas.legend({{ this._parent.get_name() }}, {{ this.spec }}); }
        {% endmacro %}
    """)

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._name = "StrikeAtlasLegend"
        self.spec_dict = spec
        self.spec = to_json(spec)


def base_map(tiles: str | None = "OpenStreetMap", static_prefix: str | None = "/app/static",
             bounds: tuple[float, float, float, float] | None = None,
             geography: bool = True) -> folium.Map:
    """The fixed map without incidents; Leaflet from `static_prefix`/leaflet/, or inlined when None.

    `bounds` is (west, south, east, north) in degrees, fitted clear of the map's controls; without it
    the map centres on the Euphrates valley. `tiles=None` draws no tiles. `geography` draws the
    bundled offline base map (geo.map.basemap) under the tiles; without it the background is plain.
    """
    m = folium.Map(location=CENTRE, zoom_start=ZOOM, tiles=None)  # the runtime adds a metric scale
    if static_prefix is None:
        m.default_js, m.default_css = [], []
        page(m).header.add_child(_Raw(
            f"<style>{leaflet_css()}</style>\n<script>{inline_script(leaflet_js())}</script>"),
            name="leaflet_inline")
    else:
        prefix = static_prefix.rstrip("/")
        m.default_js = [("leaflet", f"{prefix}/leaflet/leaflet.js")]
        m.default_css = [("leaflet_css", f"{prefix}/leaflet/leaflet.css")]
    if tiles:
        folium.TileLayer(tiles).add_to(m)  # folium's named tiles carry their attribution (OSM contributors)
    fit = None
    if bounds is not None:
        west, south, east, north = bounds
        box = [[south, west], [north, east]]
        fit = {"bounds": box, "maxZoom": FIT_MAX_ZOOM,
               "topLeft": FIT_PADDING_TOP_LEFT, "bottomRight": FIT_PADDING_BOTTOM_RIGHT}
        m.fit_bounds(box, max_zoom=FIT_MAX_ZOOM, padding_top_left=FIT_PADDING_TOP_LEFT,
                     padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT)
    _MapSetup(fit, basemap.payload() if geography else None).add_to(m)  # the runtime fits again, clear of the legend, where it opens unfolded
    return m


def incident_layer(incidents: Iterable[Incident], colour_by: str = "children",
                   aggregate_above: int = AGGREGATE_ABOVE) -> folium.FeatureGroup:
    """The incidents as one compact canvas layer with its legend (for st_folium's feature_group_to_add).

    Above `aggregate_above` located places the layer shows grid cells with summed deaths.
    """
    # A LayerData made elsewhere (maplayer.cells_layer: cells summed in SQL) is drawn as it is.
    data = incidents if isinstance(incidents, LayerData) else layer_data(incidents, colour_by, aggregate_above)
    group = folium.FeatureGroup(name="Incidents (reported)", control=False)
    group.add_child(_IncidentData(to_json(data.payload)))
    group.add_child(Legend(data.legend))
    return group


class _RuntimeCall(_ScriptElement):
    """`StrikeAtlas.<function>(parent layer, payload)`: another layer drawn by the runtime."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.StrikeAtlas) {
            StrikeAtlas.{{ this.function }}({{ this._parent.get_name() }}, {{ this.payload }});
        }
        {% endmacro %}
    """)

    def __init__(self, function: str, payload_json: str) -> None:
        super().__init__()
        self._name = "StrikeAtlasLayer"
        self.function = function
        self.payload = payload_json


def runtime_layer(name: str, function: str, payload_json: str) -> folium.FeatureGroup:
    """A feature group the runtime fills with `StrikeAtlas.<function>(group, payload)`, e.g. the
    province outlines (geo.places.boundaries.outline_layer). `payload_json` must come from maplayer.to_json."""
    group = folium.FeatureGroup(name=name, control=False)
    group.add_child(_RuntimeCall(function, payload_json))
    return group


def clicked_province(value: Mapping[str, Any] | None) -> str | None:
    """The province whose outline was clicked, from st_folium's returned value (its
    `last_active_drawing`); None when the value holds no known province."""
    drawing = (value or {}).get("last_active_drawing") if isinstance(value, Mapping) else None
    properties = drawing.get("properties") if isinstance(drawing, Mapping) else None
    province = properties.get("province") if isinstance(properties, Mapping) else None
    return province if province in PROVINCES else None


def provinces_after_click(selected: Sequence[str], value: Mapping[str, Any] | None) -> list[str] | None:
    """The province filter after a click on an outline: the province added, or removed when it was
    already chosen; None when the value is no province click (leave the filter as it is)."""
    province = clicked_province(value)
    if province is None:
        return None
    if province in selected:
        return [p for p in selected if p != province]
    return [*selected, province]


def build_map(incidents: Iterable[Incident], tiles: str | None = "OpenStreetMap",
              static_prefix: str | None = None, colour_by: str = "children",
              aggregate_above: int = AGGREGATE_ABOVE) -> folium.Map:
    """Base map fitted to the incidents + the incident layer (its legend included)."""
    incidents = list(incidents)
    m = base_map(tiles, static_prefix, extent(incidents))
    incident_layer(incidents, colour_by, aggregate_above).add_to(m)
    return m


_PAGE_CSS = """
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:14px/1.4 sans-serif;color:#222;background:#fff}
.sa-header{order:-1;flex:none;padding:8px 14px 6px;border-bottom:1px solid #ccc}
.sa-header h1{font-size:18px;margin:0 0 2px}.sa-header p{margin:0}
.sa-header .sa-meta{color:#555;font-size:12px}
.folium-map{flex:1 1 auto;height:auto!important;min-height:320px}
@media (prefers-color-scheme: dark){body{background:#202124;color:#e8eaed}
.sa-header{border-bottom-color:#444}.sa-header .sa-meta{color:#b0b3b8}}
"""


def page_header(filters: "Filters | None", count: int, exported: dt.date | None = None) -> str:
    """The exported page's heading as HTML: title, the filters sentence, the export date, credits."""
    from geo.filters import Filters

    sentence = (filters or Filters()).describe(count)
    day = (exported or dt.date.today()).isoformat()
    return (f'<header class="sa-header"><h1>{html.escape(TITLE)}</h1>'
            f"<p>{html.escape(sentence)}.</p>"
            f'<p class="sa-meta">Exported {day} from Strike Atlas. Figures are as reported by each '
            f"incident's source, not verified. {html.escape(CREDITS)}; map tiles © OpenStreetMap "
            "contributors.</p></header>")


def to_html(incidents: Iterable[Incident], filters: "Filters | None" = None,
            exported: dt.date | None = None) -> bytes:
    """A standalone HTML page of the map: Leaflet, the base map and the data inline, so it opens
    offline (tiles aside), headed by its title, the filters that selected it and the export date."""
    incidents = list(incidents)
    m = build_map(incidents, static_prefix=None)
    root = page(m)
    root.header.add_child(Element(f"<title>{html.escape(TITLE)}</title>"), name="title")
    root.header.add_child(_Raw(f"<style>{_PAGE_CSS}</style>"), name="page_css")
    root.html.add_child(_Raw(page_header(filters, len(incidents), exported)), name="page_header")
    return root.render().encode("utf-8")
