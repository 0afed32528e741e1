"""Strike Atlas dashboard, the map page: `streamlit run app.py` (the pages in views/ join the menu).

A thin shell over `geo/`: sidebar widgets → Filters (kept in the URL) → geo.selection → map,
headline figures, charts, table and downloads. Figures are as reported, never verified.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo import summary
from geo.export import FORMATS, download_name, export_events_bytes
from geo.filters import FilterError, Filters
from geo.map import view as mapview
from geo.map.layer import LayerData
from geo.model import GRADES, Incident
from geo.places import boundaries
from geo.provinces import PROVINCES
from geo.selection import Selection, View, select
from geo.selection import extent as selection_extent
from geo.selection import incidents as selection_incidents
from geo.selection import map_layer as selection_map_layer
from geo.selection import unlocated_hint as selection_unlocated_hint
from geo.store import StoreError
from ui.common import DB_ENV, get_store, md, store_or_stop

HERE = Path(__file__).resolve().parent
MAP_KEY = "incident-map"
FORMAT_LABELS = {"geojson": "GeoJSON", "csv": "CSV", "gpkg": "GeoPackage", "html": "HTML map"}
CREDITS = (f"Places: GeoNames (CC BY 4.0, geonames.org) · {mapview.basemap.CREDIT} · "
           "Map tiles © OpenStreetMap contributors")
NOT_VERIFIED = "Figures are as reported by each incident's source, not verified."
ATTRIBUTION = f"{CREDITS} · {NOT_VERIFIED}"

st.set_page_config(page_title="Strike Atlas", page_icon="🗺️", layout="wide")


# --- data -------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def static_assets() -> None:
    """Leaflet and friends from installed packages into ./static, served at /app/static/."""
    mapview.install_static_assets(HERE / "static")


# Every part of a selection is cached on (filters, Store.version()): the version changes with every
# add, replace and delete, from any process, so a change shows at once and nothing else is redone.
_PART = dict(max_entries=32, show_spinner=False, hash_funcs={Filters: repr})


@st.cache_data(**_PART)
def selection(url: str | None, filters: Filters, version: str) -> Selection:
    return select(get_store(url), filters)


@st.cache_data(max_entries=16, show_spinner="Summing the incidents for the map…",
               hash_funcs={Filters: repr})
def map_layer(url: str | None, filters: Filters, version: str, colour_by: str = "children",
              view: View | None = None) -> LayerData:
    return selection_map_layer(get_store(url), selection(url, filters, version), colour_by, view=view)


def map_view(sel: Selection) -> View | None:
    """Where the map looked at its last zoom or pan (st_folium's bounds and zoom), for a large
    selection aggregated again as the user zooms; snapped (geo.selection.view_box) so a small pan
    reuses the cached layer. None before the map has reported, and for small selections."""
    state = st.session_state.get(MAP_KEY)
    if not sel.large or not isinstance(state, dict):
        return None
    bounds, zoom = state.get("bounds") or {}, state.get("zoom")
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
        return View.around(box, int(zoom))
    except (KeyError, TypeError, ValueError):
        return None


@st.cache_data(**_PART)
def unlocated_places(url: str | None, filters: Filters, version: str) -> int:
    return get_store(url).places(filters, of="events").unlocated


@st.cache_data(**_PART)
def unlocated_hint(url: str | None, filters: Filters, version: str) -> str | None:
    return selection_unlocated_hint(get_store(url), selection(url, filters, version))


@st.cache_data(max_entries=4, show_spinner=False)
def date_span(url: str | None, version: str) -> tuple[dt.date, dt.date] | None:
    return get_store(url).date_span()


@st.cache_data(max_entries=4, show_spinner=False)
def store_extent(url: str | None, version: str) -> tuple[float, float, float, float] | None:
    """Where the stored incidents are: the base map's fixed view, whatever the filters."""
    return selection_extent(get_store(url))


def base_map(bounds: tuple[float, float, float, float] | None):
    """The base map, the same on every run, so filtering swaps the layers without reloading the map.

    Built afresh each run (it is cheap): st_folium adds the layers to the map object it is given,
    so a cached map would carry the previous run's layers and change, reloading the map.
    The view fits the stored incidents.
    """
    return mapview.base_map(tiles="OpenStreetMap", static_prefix="/app/static", bounds=bounds)


@st.cache_resource(max_entries=2, show_spinner="Loading the province outlines…")
def _load_outlines(folder: str, files: tuple):
    return boundaries.load_outlines(1, Path(folder))


def province_outlines():
    """The installed province outlines (else Syria's bundled governorates), reloaded when their
    files change; None when there are none."""
    folder = boundaries.outlines_dir()
    files = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*_ADM1.*"))
                  if folder.is_dir() else ())
    return _load_outlines(str(folder), files) if files else None


def select_clicked_province() -> None:
    """st_folium's callback: "Filter by this province" in an outline's popup adds it to (or removes
    it from) the province filter; a click on the outline itself only opens that popup. It runs
    before the sidebar is drawn, so the widget can still be changed."""
    chosen = mapview.provinces_after_click(st.session_state.get("f_provinces", []),
                                           st.session_state.get(MAP_KEY))
    if chosen is not None:
        st.session_state.f_provinces = chosen


COLOUR_LABELS = {"children": "Share of children", "actor": "Actor", "event_type": "Event type"}


def colour_choice(aggregated: bool) -> str:
    """The map's "Colour by" switch (its key is in the map's legend); cells summed in SQL know
    only the share of children."""
    # a radio, not a segmented control: its options wrap on a narrow column instead of being cut
    choice = st.radio("Colour by", list(COLOUR_LABELS), format_func=COLOUR_LABELS.get, index=0,
                      key="map_colour", disabled=aggregated, horizontal=True,
                      help="What the markers' colour shows; the key is in the map's legend.")
    if aggregated:
        st.caption("Grid cells are coloured by the share of children; narrow the filters to colour "
                   "single incidents by actor or event type.")
        return "children"
    return choice or "children"


def not_located_line(incidents: list[Incident], unlocated: int, hint: str | None) -> None:
    """"N places not located" beside the map, with their names, not only in the map's legend."""
    names = sorted({place for inc in incidents for place, point in zip(inc.places, inc.points)
                    if point is None})
    count = max(unlocated, len(names))
    if not count:
        return
    listed = ", ".join(md(n) for n in names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")
    text = f"**{count:,} place{'s' if count != 1 else ''} not located**, so not on the map"
    text += f": {listed}." if names else " (the table lists them)."
    if hint:
        text += f" Run `{hint}` to look them up in GeoNames' full list, then reload."
    st.markdown(f":orange-badge[:material/location_off: not on the map] {text}")


def show_map(layer: LayerData, bounds, outlines, selected: tuple[str, ...],
             province_deaths: dict[str, int], follow_view: bool = False) -> None:
    """The map: province outlines (installed or bundled, when switched on), shaded by
    `province_deaths`, over the offline base map and under the selection's incident layer
    (geo.selection.map_layer: points, or grid cells)."""
    layers = []
    if outlines is not None:
        layers.append(boundaries.outline_layer(outlines, province_deaths, selected=selected))
    layers.append(mapview.incident_layer(layer))
    # Only "Filter by this province" in an outline's popup reruns the page: markers and outlines
    # report no shape, pan and zoom nothing.
    st_folium(base_map(bounds), key=MAP_KEY, height=620, use_container_width=True,
              # A large selection is aggregated again for the view: then zoom and pan rerun the page
              # (geo.selection.View); otherwise they stay in the browser.
              returned_objects=["last_active_drawing", *(["zoom", "bounds"] if follow_view else [])],
              on_change=select_clicked_province,
              feature_group_to_add=layers)


def outlines_switch(outlines) -> bool:
    """The sidebar's switch for the province outlines, or how to install them when there are none."""
    if outlines is None:
        st.sidebar.caption("Province outlines: none installed. `python -m geo boundaries fetch SYR` "
                           "adds them (geoBoundaries), then reload.")
        return False
    on = st.sidebar.toggle("Province outlines", value=st.session_state.get("outlines_on", True),
                           key="f_outlines",
                           help="Provinces shaded by the reported deaths shown; click one, then "
                                "“Filter by this province” in its popup.")
    st.session_state.outlines_on = on  # kept while other pages are open (widget keys are not)
    return on


# --- filters: sidebar widgets, kept in the URL --------------------------------------------------

WIDGET_KEYS = ("f_dates", "f_provinces", "f_min_killed", "f_actor", "f_source", "f_text", "f_grade")


def url_filters() -> Filters:
    """The filters a shared link carries; a bad link gives a warning and shows everything."""
    params = {name: st.query_params.get_all(name) for name in st.query_params.keys()}
    try:
        return Filters.from_params(params)
    except FilterError as exc:
        st.warning(f"This link's filters could not be used ({md(str(exc))}), so everything is "
                   "shown. Choose the filters again in the sidebar.")
        return Filters()


def seed_widgets(filters: Filters, span: tuple[dt.date, dt.date]) -> None:
    """Put a selection into the sidebar widgets (before they are drawn)."""
    start = filters.start or min(span[0], filters.end or span[0])
    end = filters.end or max(span[1], start)
    st.session_state.f_dates = (start, end)
    st.session_state.f_provinces = list(filters.provinces)
    st.session_state.f_min_killed = filters.min_killed or 0
    st.session_state.f_actor = filters.actor or ""
    st.session_state.f_source = filters.source or ""
    st.session_state.f_text = filters.text or ""
    st.session_state.f_grade = list(filters.grade)
    st.session_state.f_bbox = filters.bbox  # no widget: it comes with a shared link of a map view


def reset(span: tuple[dt.date, dt.date]) -> None:
    seed_widgets(Filters(), span)
    st.session_state.filters = Filters()
    st.query_params.clear()


def sidebar(span: tuple[dt.date, dt.date]) -> Filters:
    """Draw the filter widgets and return the selection they make."""
    if any(key not in st.session_state for key in WIDGET_KEYS):
        # First visit: the URL decides. Coming back from another page: the last selection.
        saved = st.session_state.get("filters")
        seed_widgets(saved if saved is not None else url_filters(), span)
    sb = st.sidebar
    sb.header("Filters")
    dates = sb.date_input("Dates", key="f_dates", format="YYYY-MM-DD",
                          help="Keeps every incident whose own dates overlap these days.")
    sb.multiselect("Provinces", PROVINCES, key="f_provinces", placeholder="All provinces")
    sb.number_input("Minimum reported deaths", min_value=0, step=1, key="f_min_killed")
    sb.text_input("Actor contains", key="f_actor", placeholder="e.g. coalition")
    sb.text_input("Source contains", key="f_source", placeholder="e.g. SANA")
    sb.text_input("Text contains", key="f_text", placeholder="place, quote, notes…")
    sb.multiselect("Source grade", GRADES, key="f_grade", placeholder="Any grade",
                   help="single source · corroborated (two or more independent sources) · conceded "
                        "by the actor · contested (a denial, or tolls that differ widely)")
    if st.session_state.get("f_bbox"):
        west, south, east, north = st.session_state.f_bbox
        sb.caption(f"Only the map view of this link: {west:g}, {south:g} to {east:g}, {north:g} "
                   "(west, south, east, north).")
        sb.button("Show the whole map", on_click=lambda: st.session_state.update(f_bbox=None),
                  width="stretch")
    sb.button("Reset filters", on_click=reset, args=(span,), width="stretch")

    start, end = (list(dates) + [None, None])[:2] if isinstance(dates, (list, tuple)) else (dates, None)
    try:
        filters = Filters.parse(
            start=None if start == span[0] else start,  # the whole span means no date filter
            end=None if end in (None, span[1]) else end,
            provinces=st.session_state.f_provinces,
            min_killed=st.session_state.f_min_killed or None,
            actor=st.session_state.f_actor, source=st.session_state.f_source,
            text=st.session_state.f_text, bbox=st.session_state.get("f_bbox"),
            grade=st.session_state.f_grade)
    except FilterError as exc:
        sb.error(md(str(exc)))
        filters = Filters()
    st.session_state.filters = filters
    params = filters.to_params()
    if {k: st.query_params.get_all(k) for k in st.query_params.keys()} != {
            k: v if isinstance(v, list) else [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    return filters


# --- the page -----------------------------------------------------------------------------------

def show_headline(sel: Selection) -> None:
    head = sel.headline
    # The explanation goes under the figures, not beside them: beside, the labels were cut
    # ("Reporte…") on screens narrower than about 1,000 px.
    a, b, c = st.columns(3)
    a.metric("Incidents", f"{head.incidents:,}")
    b.metric("Reported deaths", head.killed_text)
    c.metric("Children killed", head.children_text)  # "not reported" when no source counts any
    notes = ["Deaths: the sum of each incident's reported minimum (–maximum, where a range was "
             "given); children: those the sources counted among the dead"]
    if head.cumulative:
        notes.append(f"{head.cumulative} cumulative record{'s' if head.cumulative != 1 else ''} "
                     "(a running toll over several days) left out of the sums, so no death is "
                     "counted twice")
    if head.without_toll:
        notes.append(f"{head.without_toll} incident{'s' if head.without_toll != 1 else ''} "
                     "with no reported number of deaths")
    st.caption("; ".join(notes) + ".")


def show_charts(sel: Selection) -> None:
    step = sel.time_step
    over_time = sel.over_time()
    per_province = sel.per_province()
    # Side by side under the map (stacked on phones): beside it, the map shrank to ~280 px at 900 px.
    time_column, province_column = st.columns(2, gap="medium")
    if not over_time.empty:
        # Short labels (the heading says what a bar is), so they are not cut on narrow screens.
        time_column.markdown(f"**Reported deaths per {'day' if step == 'D' else 'week (from its first day)'}**")
        over_time["when"] = over_time["period"].dt.strftime("%-d %b %Y")
        time_column.altair_chart(range_bars(over_time, "when", vertical=True), width="stretch")
    if not per_province.empty:
        province_column.markdown("**Reported deaths per province**")
        province_column.altair_chart(range_bars(per_province, "province", vertical=False), width="stretch")
    st.caption("Dark: the reported minimum; light: up to the reported maximum where a range was given.")


def range_bars(frame, category: str, vertical: bool) -> alt.LayerChart:
    """Bars of the reported minimum over lighter bars up to the maximum, in the frame's order.

    Counts read "200k" rather than "200,000" (whose labels ran together at 900 px), the value axis
    has no title (the heading above the chart says it, and an axis title was cut), category labels
    are limited to what fits."""
    axis = (alt.Axis(labelAngle=-40, labelOverlap="greedy", labelLimit=110) if vertical
            else alt.Axis(labelLimit=120))
    where = alt.X if vertical else alt.Y
    value_axis = alt.Axis(format="~s", tickCount=4, labelOverlap="greedy", title=None)
    category_enc = where(f"{category}:N", sort=None, title=None, axis=axis)

    def value(field: str, **kwargs):
        return (alt.Y if vertical else alt.X)(field, axis=value_axis, **kwargs)

    tooltip = [alt.Tooltip(f"{category}:N", title=""), alt.Tooltip("killed:Q", title="deaths (min)"),
               alt.Tooltip("killed_max:Q", title="deaths (max)"),
               alt.Tooltip("incidents:Q", title="incidents")]
    base = alt.Chart(frame).encode(category_enc, tooltip=tooltip)
    upper = base.mark_bar(color="#f4a582").encode(value("killed_max:Q", title=None))
    lower = base.mark_bar(color="#b2182b").encode(value("killed:Q"))
    return alt.layer(upper, lower).properties(height=200 if vertical else alt.Step(26))


def show_table(sel: Selection, hint: str | None) -> None:
    st.subheader("Incidents shown")
    if sel.large:
        st.caption(f"Showing the first {len(sel.incidents):,} of {sel.count:,} incidents (oldest "
                   "first); download for all of them.")
    # Columns keep the interface's names (as in the downloads); the headers read as words, and an
    # unreported figure is a blank cell rather than "None".
    st.dataframe(summary.table_frame(sel.incidents), hide_index=True, width="stretch", placeholder="",
                 column_config={
                     "date_end": "until",
                     "killed": st.column_config.NumberColumn("killed (min)"),
                     "killed_max": st.column_config.NumberColumn("killed (max)"),
                     "event_type": "event type",
                     "source_url": st.column_config.LinkColumn("source link"),
                     "quote": st.column_config.TextColumn("quote", width="large"),
                     "places": st.column_config.TextColumn("places", width="medium"),
                 })
    if hint:
        st.caption(f"Places marked “{summary.NOT_LOCATED}” are not on the map: run `{hint}` to "
                   "download GeoNames' full list of places and locate the stored incidents with it, "
                   "then reload.")


def show_downloads(url: str | None, filters: Filters, sel: Selection) -> None:
    """Download buttons; a file is made only when its button is pressed: one feature per event,
    with its grade and its sources' records (every event selected, read from the store when the
    page holds only the first rows)."""
    def events_file(fmt: str) -> bytes:
        store = get_store(url)
        events = selection_incidents(store, filters, of=sel.of) if sel.large else sel.incidents
        return export_events_bytes(events, store.event_details, fmt, filters)

    with st.container(horizontal=True):
        for fmt in FORMATS.values():
            st.download_button(
                f"Download {FORMAT_LABELS.get(fmt.name, fmt.name.upper())}",
                data=lambda name=fmt.name: events_file(name),
                file_name=download_name(filters, fmt.name), mime=fmt.mime, on_click="ignore",
                disabled=not sel.count, key=f"download-{fmt.name}", width="content")


def map_page() -> None:
    url, store = store_or_stop("Strike Atlas")
    try:
        version = store.version()
        span = date_span(url, version)  # None: the store is empty
    except StoreError as exc:
        st.title("Strike Atlas")
        st.error(f"The incident store cannot be read: {md(str(exc))}  \nCheck `{DB_ENV}` "
                 "(or remove the damaged file so a fresh one is created), then reload the page.")
        st.stop()
    empty = span is None
    span = span or (dt.date.today(), dt.date.today())

    filters = sidebar(span)
    try:
        sel = selection(url, filters, version)
        layer = map_layer(url, filters, version, st.session_state.get("map_colour", "children"),
                          map_view(sel))
        hint = unlocated_hint(url, filters, version)
    except StoreError as exc:
        st.error(f"The incidents could not be read: {md(str(exc))}  \nWait a moment and reload.")
        st.stop()

    st.title("Strike Atlas")
    st.markdown(md(filters.describe(sel.count)))
    if empty:
        st.info("The incident store is empty. Add a report on the **Add a report** page, or import "
                "a file: `python -m geo import FILE` (ACLED, UCDP, CSV, GeoJSON, GeoPackage).")
    elif not sel.count:
        st.info("No incidents match these filters. Widen the dates, remove a province, lower the "
                "minimum deaths or clear the text boxes — or press **Reset filters** in the sidebar.")

    static_assets()
    outlines = province_outlines()
    if not outlines_switch(outlines):
        outlines = None
    show_headline(sel)
    colour_choice(aggregated=layer.mode == "cells")
    not_located_line(sel.incidents, unlocated_places(url, filters, version) if sel.large else 0, hint)
    show_map(layer, store_extent(url, version), outlines, filters.provinces,
             summary.province_deaths(sel.per_province()), follow_view=sel.large)
    show_charts(sel)
    show_table(sel, hint)
    show_downloads(url, filters, sel)
    credit = outlines.attrs.get("credit") if outlines is not None else None
    if credit == mapview.basemap.BOUNDARIES_CREDIT:  # the bundled outlines: already in CREDITS
        credit = None
    st.caption(f"{CREDITS} · {md(credit)} · {NOT_VERIFIED}" if credit else ATTRIBUTION)


def site_pages() -> list:
    """This map first, then every page in views/ (titles from their file names, e.g. 'Add a report').

    Not `pages/`: Streamlit would build its own menu from that folder when a page is opened directly."""
    return [st.Page(map_page, title="Map", icon=":material/map:", default=True),
            *(st.Page(f"views/{path.name}") for path in sorted((HERE / "views").glob("*.py")))]


st.navigation(site_pages()).run()
