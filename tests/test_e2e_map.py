"""The map in real Chromium with every non-local request blocked (no tiles): the offline base map
(outlines, rivers, town names), popups clear of the controls, the keyboard path through the
incidents in view, and the page at 1400, 900 and 390 px (screenshots in /tmp, nothing clipped).

Uses the dashboard and browser fixtures of tests/test_e2e.py (synthetic incidents).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_e2e import MAP_FRAME, ROWS, browser, located_places, server, wait_for_app, wait_for_markers  # noqa: F401 (fixtures)

SCREENSHOTS = Path("/tmp")
WIDTHS = (1400, 900, 390)

# [r, g, b, a] of the base map's canvas (under the tiles) at (lat, lon).
BASE_PIXEL = """(_, [lat, lon]) => {
    const canvas = window.map.getPane('saBase').querySelector('canvas');
    const p = window.map.latLngToContainerPoint([lat, lon]);
    const box = window.map.getContainer().getBoundingClientRect(), c = canvas.getBoundingClientRect();
    const sx = canvas.width / c.width, sy = canvas.height / c.height;
    const x = Math.round((box.left + p.x - c.left) * sx), y = Math.round((box.top + p.y - c.top) * sy);
    return Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data);
}"""

# A vertex of a river inside the view, away from the view's edges: [lat, lon] or null.
RIVER_POINT = """() => {
    const view = window.map.getBounds().pad(-0.1);
    for (const line of window.strikeAtlasBase.data.rivers) {
        const coords = line.type === 'LineString' ? line.coordinates : line.coordinates.flat();
        for (const [lon, lat] of coords) if (view.contains([lat, lon])) return [lat, lon];
    }
    return null;
}"""

# Rectangles (container px) of the map's controls, its visible town labels and the map itself.
LAYOUT = """() => {
    const frame = window.map.getContainer().getBoundingClientRect();
    const rect = (el) => { const r = el.getBoundingClientRect();
        return {l: r.left - frame.left, t: r.top - frame.top, r: r.right - frame.left, b: r.bottom - frame.top}; };
    return {width: frame.width, height: frame.height,
            labels: Array.from(document.querySelectorAll('.sa-label')).map(rect),
            controls: Array.from(document.querySelectorAll('.leaflet-control'))
                      .filter((c) => c.getBoundingClientRect().width > 0).map(rect)};
}"""


def offline_page(browser, base: str, width: int, height: int = 1200, scheme: str = "light"):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    page.set_default_timeout(20_000)
    page.context.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith((base, "data:")) else route.abort())
    page.goto(base, wait_until="domcontentloaded")
    wait_for_app(page)
    page.wait_for_selector(MAP_FRAME, timeout=20_000)
    everything = located_places(ROWS)
    assert wait_for_markers(page, everything) == everything
    return page


def map_body(page):
    return page.frame_locator(MAP_FRAME).locator("body")


def overlaps(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def test_offline_map_shows_outlines_rivers_and_town_names(server, browser):  # noqa: F811
    base, _ = server
    page = offline_page(browser, base, 1400)
    try:
        body = map_body(page)
        counts = body.evaluate("() => { const b = window.strikeAtlasBase; return [b.countries, "
                               "b.rivers, b.lakes, b.provinces, b.labels.shown]; }")
        countries, rivers, lakes, provinces, labels = counts
        assert countries >= 10 and rivers >= 10 and lakes >= 1 and provinces == 14 and labels >= 3

        # what is painted: land inside Syria, a river's blue on its line
        r, g, b, alpha = body.evaluate(BASE_PIXEL, [35.6, 40.9])  # the steppe east of Raqqa
        assert alpha == 255 and r > 200 and g > 200  # light land, not the sea's blue
        river = body.evaluate(RIVER_POINT)
        assert river is not None
        r, g, b, alpha = body.evaluate(BASE_PIXEL, river)
        assert alpha > 0 and b > r + 30, f"no river colour at {river}: {(r, g, b, alpha)}"

        names = body.evaluate("() => window.strikeAtlasBase.labels.names")
        assert "Deir ez-Zor" in names or "Ar Raqqah" in names, names
        texts = body.evaluate("() => Array.from(document.querySelectorAll('.sa-label'), l => l.textContent)")
        assert any("دير الزور" in t or "الرقة" in t for t in texts), texts  # Arabic beside the name
        credits = body.evaluate("() => document.querySelector('.leaflet-control-attribution').textContent")
        assert "Natural Earth" in credits and "geoBoundaries" in credits
    finally:
        page.close()


def test_keyboard_reaches_the_incidents_in_view_and_opens_a_popup(server, browser):  # noqa: F811
    base, _ = server
    page = offline_page(browser, base, 1400)
    try:
        frame = page.frame_locator(MAP_FRAME)
        body = frame.locator("body")
        assert body.evaluate("() => window.map.getContainer().getAttribute('aria-label')").startswith("Map of")
        body.evaluate("() => window.map.getContainer().focus()")
        for _ in range(6):  # the map, its zoom buttons, then the list
            page.keyboard.press("Tab")
            if body.evaluate("() => document.activeElement.tagName") == "SUMMARY":
                break
        assert body.evaluate("() => document.activeElement.textContent").startswith("Incidents in view (")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        entry = body.evaluate("() => document.activeElement.textContent")
        assert body.evaluate("() => document.activeElement.closest('ul').getAttribute('aria-label')")
        assert "2021-05-0" in entry  # an incident of the synthetic store, by its date
        page.keyboard.press("Enter")
        popup = frame.locator(".leaflet-popup .sa-popup")
        popup.wait_for()
        assert popup.get_attribute("role") == "dialog" and popup.get_attribute("aria-label") == entry
        assert body.evaluate("() => document.activeElement.classList.contains('sa-popup')")
        page.keyboard.press("Escape")
        popup.wait_for(state="detached")
        assert body.evaluate("() => document.activeElement.textContent") == entry  # back on the entry
    finally:
        page.close()


def test_popups_clear_the_controls_and_hide_the_tooltip(server, browser):  # noqa: F811
    base, _ = server
    page = offline_page(browser, base, 1400)
    try:
        frame = page.frame_locator(MAP_FRAME)
        body = frame.locator("body")
        # Put the biggest mark right under the zoom buttons, then under the legend, and open it.
        for corner in ("[40, 40]", "[window.map.getSize().x - 40, 40]"):
            body.evaluate(f"""() => {{
                const m = window.strikeAtlasLayer.group.getLayers()[0];
                const target = L.point({corner});
                const now = window.map.latLngToContainerPoint(m.getLatLng());
                window.map.panBy(now.subtract(target), {{animate: false}});
                m.fire('click', {{latlng: m.getLatLng()}}, true);
            }}""")
            frame.locator(".leaflet-popup").wait_for()
            page.wait_for_timeout(600)  # the pan that clears the controls
            layout = body.evaluate(LAYOUT)
            popup = body.evaluate("() => { const f = window.map.getContainer().getBoundingClientRect(),"
                                  " r = document.querySelector('.leaflet-popup-content-wrapper')"
                                  ".getBoundingClientRect(); return {l: r.left - f.left, t: r.top - f.top,"
                                  " r: r.right - f.left, b: r.bottom - f.top}; }")
            clashes = [c for c in layout["controls"] if overlaps(c, popup)]
            assert not clashes, f"popup {popup} under controls {clashes} (mark put at {corner})"
            body.evaluate("() => window.map.closePopup()")

        # The hover tooltip shows, then hides while a popup is open.
        x, y = body.evaluate("() => { const m = window.strikeAtlasLayer.group.getLayers()[0];"
                             " window.map.setView(m.getLatLng(), window.map.getZoom(), {animate: false});"
                             " const p = window.map.latLngToContainerPoint(m.getLatLng()); return [p.x, p.y]; }")
        container = frame.locator(".leaflet-container")
        container.hover(position={"x": x, "y": y})
        frame.locator(".leaflet-tooltip").wait_for()
        container.click(position={"x": x, "y": y})
        frame.locator(".leaflet-popup").wait_for()
        container.hover(position={"x": x + 1, "y": y})
        page.wait_for_timeout(300)
        assert not frame.locator(".leaflet-tooltip").first.is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_page_legible_at_width(server, browser, width):  # noqa: F811
    base, _ = server
    scheme = "dark" if width == 390 else "light"  # the phone width in dark mode, the others light
    page = offline_page(browser, base, width, height=2400, scheme=scheme)
    try:
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / f"strike-atlas-{width}.png"), full_page=True)
        layout = map_body(page).evaluate(LAYOUT)
        assert layout["width"] >= min(width - 40, 300)
        assert layout["labels"], "no town names drawn"
        for label in layout["labels"]:  # inside the map, clear of every control
            assert 0 <= label["l"] and label["r"] <= layout["width"] and 0 <= label["t"] <= label["b"] <= layout["height"]
            assert not [c for c in layout["controls"] if overlaps(c, label)], label
        for control in layout["controls"]:  # the legend, list, zoom, scale and credits fit the map
            assert control["l"] >= 0 and control["r"] <= layout["width"] + 1, control
        # Streamlit cuts a metric's label with an ellipsis when its column is too narrow
        cut = page.evaluate("() => Array.from(document.querySelectorAll(\"[data-testid='stMetricLabel'] *\"))"
                            ".filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1)"
                            ".map(e => e.textContent)")
        assert not cut, f"labels cut at {width} px: {cut}"
        assert page.get_by_text("places not located", exact=False).first.is_visible() or \
            page.get_by_text("place not located", exact=False).first.is_visible()
    finally:
        page.close()


def test_time_window_plays_through_the_days_and_zoom_to_selection(server, browser):  # noqa: F811
    base, _ = server
    page = offline_page(browser, base, 1400)
    try:
        frame = page.frame_locator(MAP_FRAME)
        body = frame.locator("body")
        everything = located_places(ROWS)
        assert body.evaluate("() => window.strikeAtlasTime.label") == "All dates"
        # Step by hand: the first day holds only the 1 May incident's mark.
        frame.get_by_label("Window length").select_option("day")
        slider = frame.get_by_label("Time window")
        slider.focus()
        page.keyboard.press("Home")
        state = body.evaluate("() => window.strikeAtlasTime")
        assert state["start"] == state["end"] == "2021-05-01"
        first_day = [row for row in ROWS if row["date"] == "2021-05-01"]
        assert state["shown"] == located_places(first_day)
        assert body.evaluate("() => window.strikeAtlasLayer.group.getLayers().length") == state["shown"]
        plural = "" if state["shown"] == 1 else "s"
        assert frame.locator(".sa-list summary").text_content() == f"Incidents in view ({state['shown']} mark{plural})"
        # Play: the window moves on by itself, then pause holds it.
        frame.get_by_role("button", name="Play the incidents through time").click()
        page.wait_for_timeout(2_200)
        frame.get_by_role("button", name="Pause").click()
        held = body.evaluate("() => window.strikeAtlasTime.start")
        assert held > "2021-05-01"
        page.wait_for_timeout(1_200)
        assert body.evaluate("() => window.strikeAtlasTime.start") == held
        frame.get_by_role("button", name="All dates").click()
        assert body.evaluate("() => window.strikeAtlasLayer.group.getLayers().length") == everything

        # Zoom to selection after zooming out: the incidents fill the view again.
        body.evaluate("() => window.map.setZoom(5, {animate: false})")
        frame.get_by_role("button", name="Zoom to the incidents shown").click()
        page.wait_for_timeout(600)
        assert body.evaluate("() => window.map.getZoom()") > 5
        assert body.evaluate("() => window.map.getBounds().contains(window.strikeAtlasLayer.group.getBounds())")
    finally:
        page.close()
