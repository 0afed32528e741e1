"""The map: marker scale, hollow and cumulative marks, escaping, offline assets, aggregation, html export.

All incidents here are test data made by code, not real reports.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.export import FORMATS, export_bytes
from geo.map import view as mapview
from geo.map.layer import (
    BASE_SCALE,
    CHILDREN_KEY,
    HOLLOW_RADIUS,
    children_class,
    layer_data,
    marker_scale,
    pack,
    place_marks,
    points_columns,
    radius,
    to_json,
    unpack,
)
from tests.conftest import make_incident

HOSTILE = "<script>alert(1)</script> ${alert(1)} `tick` {{ 7*7 }} {% raw %} {# c \u2028 & \"q\" '"


def payload_of(page: str) -> dict:
    """The JSON the layer's script hands to StrikeAtlas.draw, parsed back."""
    start = page.index("StrikeAtlas.draw(")
    start = page.index("{", start)
    text = json.JSONDecoder().raw_decode(page[start:])[0]
    return text


def test_radius_area_follows_deaths_shared_among_places():
    single = make_incident(id="one", places=["A"], points=[(40.0, 35.0)], killed=16, children=None)
    shared = make_incident(id="two", places=["B", "C"], points=[(40.1, 35.1), (40.2, 35.2)], killed=8,
                           children=None)
    marks = {m.place: m for m in place_marks([single, shared])}
    assert marks["B"].deaths == marks["C"].deaths == 4
    # area ∝ deaths: (r_A / r_B)² == 16 / 4, and the ink of the shared incident adds up to its toll
    assert (marks["A"].radius / marks["B"].radius) ** 2 == pytest.approx(16 / 4)
    assert marks["B"].deaths + marks["C"].deaths == shared.killed
    assert marks["A"].radius == pytest.approx(radius(16, marker_scale(16)))
    assert marks["A"].radius == pytest.approx(BASE_SCALE * 4)  # small tolls keep the base scale


def test_unlocated_places_do_not_take_a_share_of_the_toll():
    inc = make_incident(places=["Found", "Lost"], points=[(40.0, 35.0), None], killed=6, children=None)
    (mark,) = place_marks([inc])
    assert mark.deaths == 6
    data = layer_data([inc])
    assert any("1 place not located" in n for n in data.legend["notices"])


def test_scale_shrinks_so_the_largest_mark_stays_readable():
    huge = make_incident(killed=10_000, children=None)
    small = make_incident(id="s", killed=1, children=None)
    marks = {m.deaths: m for m in place_marks([huge, small])}
    assert marks[10_000].radius <= 40
    assert (marks[10_000].radius / marks[1].radius) ** 2 == pytest.approx(10_000)


def test_no_toll_is_hollow_and_cumulative_is_flagged():
    none = make_incident(id="n", killed=None, children=None)
    zero = make_incident(id="z", killed=0, children=0)
    span = make_incident(id="c", date_end="2017-08-20", killed=30, cumulative=True)
    marks = {m.incident: m for m in place_marks([none, zero, span])}
    assert marks[0].hollow and marks[0].radius == HOLLOW_RADIUS
    assert marks[1].hollow
    assert marks[2].cumulative and not marks[2].hollow
    p = points_columns(layer_data([none, zero, span]).payload)
    by_id = {p["s"][i]: (k, cu) for i, k, cu in zip(p["id"], p["k"], p["cu"])}
    assert by_id == {"n": (0, 0), "z": (1, 0), "c": (31, 1)}  # counts sent as value + 1, 0 = none


def test_children_share_classes():
    assert children_class(None, 10) == 0
    assert children_class(0, 10) == 1
    assert children_class(1, 10) == 2
    assert children_class(5, 10) == 3
    assert children_class(9, 10) == 4
    assert children_class(3, None) == 0
    assert len(CHILDREN_KEY) == 5


def test_payload_round_trips_coordinates_dates_and_counts():
    a = make_incident(id="a", date="2017-06-01", places=["A"], points=[(40.123456, 35.654321)],
                      killed=3, killed_max=5, women=1)
    b = make_incident(id="b", date="2017-06-03", date_end="2017-06-05", places=["B", "C"],
                      points=[(39.5, 36.0), (39.6, 36.1)], killed=None, children=None)
    p = points_columns(layer_data([b, a]).payload)  # sorted by date inside
    xs = [sum(p["x"][: i + 1]) / p["f"] for i in range(len(p["x"]))]
    ys = [sum(p["y"][: i + 1]) / p["f"] for i in range(len(p["y"]))]
    assert xs == pytest.approx([40.12346, 39.5, 39.6]) and ys == pytest.approx([35.65432, 36.0, 36.1])
    assert p["dd"][1] == 2 and p["sp"] == [0, 3]
    assert p["k"] == [4, 0] and p["km"] == [6, 0] and p["w"] == [2, 0]
    assert [p["s"][i] for i in p["pl"][1:]] == ["B", "C"] and p["np"] == [1, 2]


def test_packed_columns_and_string_table_round_trip():
    values = [0, 1, 31, 32, 1023, 1024, 5_000_000, 7]
    assert unpack(pack(values), len(values)) == values
    signed = [0, -1, 1, -16, 16, -123_456, 654_321]
    assert unpack(pack(signed, signed=True), len(signed), signed=True) == signed
    assert pack([4, 4, 4]) == 4 and unpack(4, 3) == [4, 4, 4]  # a constant column is one number
    assert len(pack(list(range(32)))) == 32  # small values cost one character each
    from geo.map.layer import front_code, front_decode
    table = sorted(["Abu Kamal", "Abu Hamam", "Abu Hardub", "", "Ünïcödé ☃ 𝄞", "Ab", HOSTILE, "9 lives",
                    "𝄞 clef 1", "𝄞 clef 2", "x𝄞y", "x𝄞z"])
    coded = front_code(table)
    assert front_decode(coded) == table
    assert sum(map(len, coded)) < sum(map(len, table))  # shared prefixes are sent once


def test_points_payload_keeps_unlocated_names_and_stays_small():
    inc = make_incident(id="u", places=["Found", "Lost", "Also found"], points=[(40.0, 35.0), None, (40.1, 35.1)])
    p = points_columns(layer_data([inc]).payload)
    assert [p["s"][i] for i in p["pl"]] == ["Found", "Also found", "Lost"]
    assert p["np"] == [2] and p["nu"] == [1]
    many = [make_incident(id=f"m{n:05d}", date=f"2017-{1 + n % 12:02d}-{1 + n % 28:02d}", places=[f"Village {n % 700}"],
                          points=[(39 + (n * 37 % 1000) / 500, 35 + (n * 91 % 1000) / 700)], killed=n % 40 or None,
                          children=None if n % 3 else n % 5, injured=n % 7 or None, source="Monitor", actor="Actor")
            for n in range(3000)]  # above the detail limit: no ids, quotes or links
    payload = layer_data(many).payload
    assert len(to_json(payload).encode()) / len(many) <= 40
    p = points_columns(payload)  # the large map's front-coded table decodes to the same names
    assert sorted(p["s"][i] for i in p["pl"]) == sorted(i.places[0] for i in many) and "s" not in payload


def test_user_text_never_becomes_markup():
    inc = make_incident(places=[HOSTILE], source=HOSTILE, quote=HOSTILE, actor=HOSTILE,
                        source_url="javascript:alert(1)")
    page = mapview.to_html([inc]).decode("utf-8")
    assert "alert(1)</script>" not in page
    assert "<script>alert" not in page
    assert "javascript:alert" not in page  # a non-http link is dropped, not shown as a link
    payload = points_columns(payload_of(page))
    assert HOSTILE in payload["s"]  # the exact text survives as data (no template evaluated it)
    # the script element holding the data cannot be closed early
    assert page.count("<script") == page.count("</script>")


def test_to_json_escapes_everything_that_could_end_a_script():
    text = to_json({"q": "</script><!-- \u2028 & {{x}} {%y%} {#z#}"})
    for bad in ("<", ">", "&", "\u2028", "{{", "{%", "{#"):
        assert bad not in text
    assert json.loads(text)["q"] == "</script><!-- \u2028 & {{x}} {%y%} {#z#}"


def test_source_link_only_for_http_urls():
    good = make_incident(id="g", source_url="https://example.org/report?a=1&b=2")
    bad = make_incident(id="b", source_url="data:text/html,hi")
    p = points_columns(layer_data([good, bad]).payload)
    links = [p["s"][u - 1] for u in p["u"] if u]
    assert links == ["https://example.org/report?a=1&b=2"]


def test_base_map_serves_leaflet_from_static_prefix_without_cdn():
    page = mapview.base_map().get_root().render()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    styles = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", page)
    assert scripts == ["/app/static/leaflet/leaflet.js"]
    assert styles == ["/app/static/leaflet/leaflet.css"]
    assert "cdn" not in page.lower()
    assert "GeoNames (CC BY 4.0)" in page and "OpenStreetMap" in page


def test_standalone_page_has_leaflet_inline_and_no_external_scripts():
    page = mapview.to_html([make_incident()]).decode("utf-8")
    assert "Leaflet 1.9.4" in page and ".leaflet-container" in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*stylesheet", page)
    assert "window.StrikeAtlas" in page


def test_install_static_assets_copies_leaflet(tmp_path: Path):
    installed = mapview.install_static_assets(tmp_path)
    assert installed["leaflet.js"] == "leaflet/leaflet.js"
    assert (tmp_path / "leaflet" / "leaflet.js").read_text().startswith("/* @preserve")
    assert (tmp_path / "leaflet" / "leaflet.css").stat().st_size > 1000
    assert (tmp_path / "leaflet" / "images" / "layers.png").exists()
    assert mapview.install_static_assets(tmp_path) == installed  # idempotent


def test_aggregation_above_threshold_keeps_the_toll_and_says_so():
    incidents = [make_incident(id=f"i{n}", places=[f"P{n}", f"Q{n}"], children=None,
                               points=[(40 + n * 0.003, 35 + n * 0.002), (39 + n * 0.001, 36.0)],
                               killed=n % 7 or None, cumulative=(n % 11 == 0),
                               date_end="2017-08-30" if n % 11 == 0 else None)
                 for n in range(300)]
    below = layer_data(incidents, aggregate_above=10_000)
    above = layer_data(incidents, aggregate_above=100)
    assert below.mode == "points" and not any("Aggregated" in t for t in below.legend["notices"])
    assert above.mode == "cells" and above.drawn < 600
    assert any("Aggregated" in t for t in above.legend["notices"])
    expected = sum(i.killed for i in incidents if i.killed and not i.cumulative)
    assert sum(above.payload["ck"]) == pytest.approx(expected, abs=0.05 * len(above.payload["ck"]))
    assert sum(above.payload["cn"]) >= len(incidents)  # a two-place incident may touch two cells
    assert sum(above.payload["cu"]) == 2 * sum(1 for i in incidents if i.cumulative)
    layer_page = mapview.build_map(incidents[:5]).get_root().render()
    assert '"mode":"points"' in layer_page


def test_nothing_to_draw_still_makes_a_page():
    assert layer_data([]).drawn == 0
    lost = make_incident(places=["Nowhere"], points=[None])
    data = layer_data([lost])
    assert data.drawn == 0 and any("not located" in n for n in data.legend["notices"])
    assert b"StrikeAtlas.draw(" in mapview.to_html([lost])


def test_colour_by_actor_and_unknown_colour():
    incidents = [make_incident(id=f"a{n}", actor=f"Actor {n % 3}") for n in range(9)]
    data = layer_data(incidents, colour_by="actor")
    labels = [label for label, _ in data.legend["colours"]]
    assert {"Actor 0", "Actor 1", "Actor 2"} <= set(labels)
    assert len(set(points_columns(data.payload)["cl"])) == 3
    with pytest.raises(ValueError, match="children, actor"):
        layer_data(incidents, colour_by="size")


def test_html_export_registered():
    assert FORMATS["html"].extension == "html" and FORMATS["html"].mime == "text/html"
    body = export_bytes([make_incident()], "html")
    assert body.lstrip().lower().startswith(b"<!doctype html>")


def test_layer_travels_through_streamlit_folium_feature_group():
    sf = pytest.importorskip("streamlit_folium")
    incidents = [make_incident(id=f"f{n}", killed=n + 1) for n in range(3)]
    assert sf._get_map_string(mapview.base_map()) == sf._get_map_string(mapview.base_map())
    m = mapview.base_map()
    assert "window.StrikeAtlas" in sf._get_map_string(m)
    m.get_root().render()
    script = sf._get_feature_group_string(mapview.incident_layer(incidents), m)
    assert "StrikeAtlas.draw(feature_group_feature_group_0," in script
    assert "StrikeAtlas.legend(feature_group_feature_group_0," in script
    assert payload_of(script)["n"] == 3


def test_a_click_on_a_province_outline_adds_or_removes_it():
    def clicked(province, stamp=1):  # st_folium's value after a click on an outline
        return {"last_active_drawing": {"type": "Feature", "geometry": None,
                                        "properties": {"province": province, "clicked": stamp}}}

    assert mapview.provinces_after_click([], clicked("Raqqa")) == ["Raqqa"]
    assert mapview.provinces_after_click(["Aleppo"], clicked("Raqqa")) == ["Aleppo", "Raqqa"]
    assert mapview.provinces_after_click(["Aleppo", "Raqqa"], clicked("Raqqa", 2)) == ["Aleppo"]
    for no_click in (None, {}, {"last_active_drawing": None}, clicked("Atlantis"), clicked(None),
                     {"last_active_drawing": {"type": "Feature", "properties": {}}},
                     {"last_active_drawing": "Raqqa"}):
        assert mapview.provinces_after_click(["Aleppo"], no_click) is None  # the filter is left alone
    assert mapview.clicked_province(clicked("Deir ez-Zor")) == "Deir ez-Zor"


# --- in a real browser ----------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_standalone_page_draws_offline_in_chromium(browser, tmp_path: Path):
    incidents = [make_incident(id=f"b{n}", places=[f"Town {n}"], points=[(39.5 + n * 0.05, 35.2)],
                               killed=(n * 3) or None, children=None) for n in range(6)]
    incidents.append(make_incident(id="evil", places=["X"], points=[(40.0, 35.6)], killed=9,
                                   source=HOSTILE, quote=HOSTILE, source_url="https://example.org/r"))
    path = tmp_path / "map.html"
    path.write_bytes(mapview.to_html(incidents))
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
    page.goto(path.as_uri())
    page.wait_for_function("window.strikeAtlasLayer && window.strikeAtlasLayer.drawnMs", timeout=20_000)
    assert page.evaluate("strikeAtlasLayer.count") == 7
    # the radii drawn in the browser are the ones the Python scale gives
    drawn = page.evaluate("strikeAtlasLayer.group.getLayers().map(l => [l.getLatLng().lng, l.getRadius()])")
    expected = {round(m.lon, 5): m.radius for m in place_marks(incidents)}
    for lng, r in drawn:
        assert r == pytest.approx(expected[round(lng, 5)], rel=1e-3)
    painted = page.evaluate("""(() => { const c = document.querySelector('canvas.leaflet-zoom-animated');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()""")
    assert painted > 100  # marks are on the canvas although no tile could load
    # open the hostile incident's popup: its text shows as text, no script runs
    page.evaluate("""(() => { const l = strikeAtlasLayer.group.getLayers()
        .find(l => Math.abs(l.getLatLng().lat - 35.6) < 1e-6);
        l.fire('click', {latlng: l.getLatLng()}, true); })()""")  # as a click does: up to the group
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "<script>alert(1)</script>" in popup.inner_text()
    assert popup.locator("script").count() == 0
    assert popup.locator("a").get_attribute("href") == "https://example.org/r"
    assert page.locator(".sa-legend").count() == 1
    page.wait_for_timeout(200)
    assert dialogs == []
    page.close()


def test_aggregated_page_draws_cells_in_chromium(browser, tmp_path: Path):
    incidents = [make_incident(id=f"c{n}", places=[f"V{n}"], killed=n % 5 or None, children=None,
                               points=[(39 + (n % 20) * 0.002, 35 + (n // 20) * 0.002)])
                 for n in range(200)]
    path = tmp_path / "cells.html"
    path.write_text(mapview.build_map(incidents, tiles=None, aggregate_above=50).get_root().render())
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.strikeAtlasLayer && window.strikeAtlasLayer.drawnMs", timeout=20_000)
    expected = layer_data(incidents, aggregate_above=50)
    assert page.evaluate("strikeAtlasLayer.mode") == "cells"
    assert page.evaluate("strikeAtlasLayer.count") == expected.drawn < len(incidents)
    assert "Aggregated" in page.locator(".sa-legend").inner_text()
    page.close()


def test_large_page_decodes_packed_columns_in_chromium(browser, tmp_path: Path):
    names = ["Abu Hamam", "Abu Hardub", "𝄞 clef 1", "𝄞 clef 2", "x𝄞y", "x𝄞z", HOSTILE]
    incidents = [make_incident(id=f"L{n:05d}", date=f"20{10 + n % 9}-0{1 + n % 9}-1{n % 10}",
                               places=[names[n % len(names)], f"Lost {n}"], points=[(38 + n / 1000, 35.0), None],
                               killed=(n * 7) % 60 or None, children=None)
                 for n in range(2_050)]  # more than the detail limit: the front-coded string table
    path = tmp_path / "large.html"
    path.write_text(mapview.build_map(incidents, tiles=None).get_root().render())
    assert "sf" in payload_of(path.read_text())
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.strikeAtlasLayer && window.strikeAtlasLayer.drawnMs", timeout=20_000)
    tips = page.evaluate("""(() => { const g = strikeAtlasLayer.group;
        return g.getLayers().map(l => [l.getLatLng().lng, g._tooltip._content(l).textContent,
                                       g._popup._content(l).textContent]); })()""")
    page.close()
    assert len(tips) == len(incidents)
    by_lon = {round(38 + n / 1000, 5): inc for n, inc in enumerate(incidents)}
    for lng, tip, popup in tips:
        inc = by_lon[round(lng, 5)]
        assert tip.startswith(f"{inc.date} · {inc.places[0]} · ")
        assert f"Not located: {inc.places[1]}" in popup
