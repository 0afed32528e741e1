/* Strike Atlas map runtime: draws the compact incident payload (geo/maplayer.py) on a Leaflet
 * canvas and builds tooltips, popups and the legend from DOM nodes with textContent — data never
 * goes through innerHTML. Defined once per page (window.StrikeAtlas). */
(function () {
  "use strict";
  if (window.StrikeAtlas) return;

  var OPEN_MIN_WIDTH = 700;  // px: on narrower maps the legend starts folded to its "Legend" button
  var SECTIONS = ["incidents", "outlines"];  // the legend's order

  var CSS = [
    ".sa-legend{background:rgba(255,255,255,.94);padding:3px 8px;font:11px/1.3 sans-serif;color:#222;",
    "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);max-width:min(470px,calc(100vw - 90px))}",
    ".sa-legend summary{cursor:pointer;font-weight:bold;font-size:12px;padding:1px 0}",
    ".sa-legend h4{margin:3px 0 2px;font-size:11px}",
    ".sa-cols{display:flex;flex-wrap:wrap;gap:0 16px}.sa-col{max-width:220px}",
    ".sa-ramp{display:flex;margin:2px 0}.sa-step{display:flex;flex-direction:column;",
    "align-items:center;min-width:26px;font-size:10.5px}.sa-step span:last-child{padding:0 3px}",
    ".sa-step span:first-child{width:100%;height:10px;opacity:.75;border:1px solid #666;",
    "box-sizing:border-box;margin-left:-1px}.sa-tip{font-size:12px}",
    ".sa-row{display:flex;align-items:center;gap:5px;margin:1px 0}",
    ".sa-sizes{display:flex;align-items:flex-end;gap:8px;margin:1px 0 2px}",
    ".sa-size{display:flex;flex-direction:column;align-items:center;gap:1px}",
    ".sa-sym{flex:none;display:flex;justify-content:center;align-items:center}",
    ".sa-dot{border-radius:50%;box-sizing:border-box}.sa-swatch{box-sizing:border-box}",
    ".sa-notice{margin:3px 0;padding:2px 5px;background:#fff3cd;border-left:3px solid #d39e00}",
    ".sa-note{margin:3px 0 1px;color:#555;font-size:10.5px}",
    ".sa-popup{font-size:12px}.sa-popup p{margin:2px 0}.sa-popup blockquote{margin:4px 0;padding-left:6px;",
    "border-left:3px solid #bbb;color:#333;font-style:italic}",
    ".sa-popup .sa-muted,.sa-muted{color:#666;font-size:10.5px}",
    // long attributions wrap instead of running under the scale bar in the other corner
    ".leaflet-container .leaflet-control-attribution,.leaflet-container .leaflet-control-scale{",
    "font-size:11px}.leaflet-control-attribution{max-width:calc(100vw - 110px);white-space:normal;",
    "line-height:1.35}"
  ].join("");

  // One canvas for outlines and markers: a click reaches the topmost shape (a marker over a
  // province), where a second canvas or an SVG layer on top would swallow the other's clicks.
  // One Strike Atlas map per page (the dashboard's iframe, an exported page).
  var sharedCanvas = null;
  function renderer() {
    if (!sharedCanvas) sharedCanvas = L.canvas({padding: 0.3});
    return sharedCanvas;
  }

  function injectCss() {
    if (document.getElementById("strike-atlas-css")) return;
    var style = document.createElement("style");
    style.id = "strike-atlas-css";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function line(parent, label, value) {
    var p = el("p");
    p.appendChild(el("b", null, label + ": "));
    p.appendChild(document.createTextNode(String(value)));
    parent.appendChild(p);
    return p;
  }

  function num(v) { return Number(v).toLocaleString("en"); }
  function count(v) { return v ? v - 1 : null; }             // payload counts: value + 1, 0 = none
  function str(data, ref) { return ref ? data.s[ref - 1] : null; }
  function day(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }
  function isHttp(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }

  function undelta(a) {
    var out = new Array(a.length), v = 0;
    for (var i = 0; i < a.length; i++) { v += a[i]; out[i] = v; }
    return out;
  }

  // Points-mode columns come packed (geo/maplayer.py pack): a base64 VLQ string, or one number
  // for every row. A large map's string table (sf) is front-coded: each entry starts with the VLQ
  // length of the prefix it shares with the entry before.
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", DIGIT = {};
  for (var d = 0; d < 64; d++) DIGIT[B64.charAt(d)] = d;

  function vlq(text, at, out, signed) {  // reads one value at `at` into out; returns the next position
    var v = 0, mul = 1, digit;
    do { digit = DIGIT[text.charAt(at++)]; v += (digit & 31) * mul; mul *= 32; } while (digit & 32);
    out.push(signed ? (v % 2 ? -(v + 1) / 2 : v / 2) : v);
    return at;
  }

  function ints(column, n, signed) {
    var out = [];
    if (typeof column === "number") { for (var i = 0; i < n; i++) out.push(column); return out; }
    for (var at = 0; at < column.length;) at = vlq(column, at, out, signed);
    return out;
  }

  function unpack(data) {
    var cols = ["dd", "sp", "np", "nu", "k", "km", "c", "w", "i", "cl", "cu", "a", "so", "et", "u", "q", "id"];
    cols.forEach(function (c) { if (c in data) data[c] = ints(data[c], data.n); });
    var places = 0, names = 0, strings = [], prev = "";
    for (var n = 0; n < data.n; n++) { places += data.np[n]; names += data.np[n] + data.nu[n]; }
    data.x = ints(data.x, places, true);
    data.y = ints(data.y, places, true);
    data.pl = ints(data.pl, names);
    (data.sf || []).forEach(function (entry) {
      var len = [], at = vlq(entry, 0, len);
      prev = prev.slice(0, len[0]) + entry.slice(at);
      strings.push(prev);
    });
    if (data.sf) data.s = strings;
    data._first = [];  // each incident's first entry in pl
    for (n = 0, names = 0; n < data.n; n++) { data._first.push(names); names += data.np[n] + data.nu[n]; }
  }

  // --- points ---------------------------------------------------------------------------------

  function placeMarkers(data, renderer) {
    unpack(data);
    var xs = undelta(data.x), ys = undelta(data.y), f = data.f, markers = [], row = 0;
    var dayN = data.d0, days = new Array(data.n);
    for (var n = 0; n < data.n; n++) {
      dayN += data.dd[n];
      days[n] = dayN;
      var k = count(data.k[n]), np = data.np[n], colour = data.key[data.cl[n]][1];
      var share = k && np ? k / np : 0;
      var style;
      if (!share) {
        style = {radius: data.hollow, color: "#444", weight: 1.5, fill: false};
      } else if (data.cu[n]) {
        style = {radius: data.scale * Math.sqrt(share), color: colour, weight: 2,
                 dashArray: "5 4", fill: false};
      } else {
        style = {radius: data.scale * Math.sqrt(share), color: "#fff", weight: 0.8,
                 fillColor: colour, fillOpacity: 0.8};
      }
      for (var j = 0; j < np; j++, row++) {
        style.renderer = renderer;
        var m = L.circleMarker([ys[row] / f, xs[row] / f], style);
        m.options.sa = n;
        m.options.saPlace = j;
        m.toGeoJSON = null;  // st_folium returns clicked shapes' GeoJSON: only outlines should count
        markers.push(m);
      }
    }
    data._days = days;
    return markers;
  }

  function placeNames(data, n) {
    var first = data._first[n], np = data.np[n];
    var name = function (i) { return data.s[i]; };
    return {located: data.pl.slice(first, first + np).map(name),
            unlocated: data.pl.slice(first + np, first + np + data.nu[n]).map(name)};
  }

  function dates(data, n) {
    var start = day(data._days[n]);
    return data.sp[n] ? start + " to " + day(data._days[n] + data.sp[n] - 1) : start;
  }

  function range(data, n) {
    var k = count(data.k[n]), km = count(data.km[n]);
    if (k === null) return "not reported";
    return km !== null && km !== k ? num(k) + "–" + num(km) : num(k);
  }

  function pointTooltip(data, layer) {
    var n = layer.options.sa, names = placeNames(data, n);
    var text = dates(data, n) + " · " + names.located[layer.options.saPlace] + " · ";
    text += count(data.k[n]) === null ? "toll not reported" : range(data, n) + " reported killed";
    if (data.cu[n]) text += " (cumulative)";
    return el("span", null, text);
  }

  function pointPopup(data, layer) {
    var n = layer.options.sa, names = placeNames(data, n), box = el("div", "sa-popup");
    box.appendChild(el("b", null, dates(data, n) + (data.cu[n] ? " (cumulative toll over the span)" : "")));
    line(box, "Places", names.located.join(", "));
    if (names.unlocated.length) line(box, "Not located", names.unlocated.join(", "));
    var killed = line(box, "Reported killed", range(data, n));
    if (data.np[n] > 1 && count(data.k[n])) {
      killed.appendChild(el("span", "sa-muted", " (shared among " + data.np[n] + " places on the map)"));
    }
    [["c", "Reported children killed"], ["w", "Reported women killed"], ["i", "Reported injured"]]
      .forEach(function (pair) {
        var v = count(data[pair[0]][n]);
        if (v !== null) line(box, pair[1], num(v));
      });
    var type = str(data, data.et[n]), actor = str(data, data.a[n]), source = str(data, data.so[n]);
    if (type) line(box, "Event", type);
    line(box, "Actor (as reported)", actor || "not reported");
    var url = data.detail ? str(data, data.u[n]) : null;
    var p = line(box, "Source", "");
    if (isHttp(url)) {
      var a = el("a", null, source || url);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      p.appendChild(a);
    } else {
      p.appendChild(document.createTextNode(source || "not given"));
    }
    if (data.detail) {
      var quote = str(data, data.q[n]);
      if (quote) box.appendChild(el("blockquote", null, "“" + quote + "”"));
      box.appendChild(el("div", "sa-muted", "id " + data.s[data.id[n]]));
    } else {
      box.appendChild(el("div", "sa-muted", "Quote and link left out: more than " +
        num(data.detail_limit || 2000) + " incidents shown. See the table or an export."));
    }
    return box;
  }

  // --- cells ----------------------------------------------------------------------------------

  function cellMarkers(data, renderer) {
    var xs = undelta(data.x), ys = undelta(data.y), f = data.f, markers = [];
    for (var n = 0; n < xs.length; n++) {
      var deaths = data.ck[n], colour = data.key[data.cl[n]][1], style;
      if (deaths > 0) {
        style = {radius: data.scale * Math.sqrt(deaths), color: "#222", weight: 1.2,
                 fillColor: colour, fillOpacity: 0.7};
      } else {
        style = {radius: data.hollow, color: "#444", weight: 1.5, fill: false};
      }
      style.renderer = renderer;
      var m = L.circleMarker([ys[n] / f, xs[n] / f], style);
      m.options.sa = n;
      m.toGeoJSON = null;
      markers.push(m);
    }
    return markers;
  }

  function cellText(data, n) {
    return num(data.cn[n]) + " incident" + (data.cn[n] === 1 ? "" : "s") + " · " +
      num(data.ck[n]) + " reported deaths (sum)";
  }

  function cellTooltip(data, layer) { return el("span", null, "Grid cell: " + cellText(data, layer.options.sa)); }

  function cellPopup(data, layer) {
    var n = layer.options.sa, box = el("div", "sa-popup");
    box.appendChild(el("b", null, "Grid cell of " + data.cell + "° (aggregated)"));
    line(box, "Incidents", num(data.cn[n]));
    line(box, "Places", num(data.cp[n]));
    line(box, "Reported deaths, summed", num(data.ck[n]));
    if (data.cu[n]) line(box, "Cumulative records (not added)", num(data.cu[n]));
    line(box, "Colour", data.key[data.cl[n]][0]);
    box.appendChild(el("div", "sa-muted", "Narrow the filters or zoom the query to see single incidents."));
    return box;
  }

  // --- legend ---------------------------------------------------------------------------------

  function symbol(size, css) {
    var wrap = el("span", "sa-sym"), dot = el("span", "sa-dot");
    wrap.style.width = wrap.style.height = typeof size === "number" ? size + "px" : size;
    Object.keys(css).forEach(function (k) { dot.style[k] = css[k]; });
    wrap.appendChild(dot);
    return wrap;
  }

  function block(title) {
    var b = el("div", "sa-block");
    b.appendChild(el("h4", null, title));
    return b;
  }

  function row(parent, sym, label) {
    var r = el("div", "sa-row");
    r.appendChild(sym);
    r.appendChild(el("span", null, label));
    parent.appendChild(r);
    return r;
  }

  // The incident layer's part of the legend: circle sizes, colours, notices and the note.
  function incidentSection(spec) {
    var sizes = block(spec.title), biggest = 0;
    spec.sizes.forEach(function (s) { biggest = Math.max(biggest, 2 * s[1]); });
    var scale = el("div", "sa-sizes");
    spec.sizes.forEach(function (s) {
      var item = el("div", "sa-size"), d = 2 * s[1] + "px";
      item.appendChild(symbol(d, {width: d, height: d, background: "#fc8d59", border: "1px solid #fff"}));
      item.appendChild(el("span", null, num(s[0])));
      scale.appendChild(item);
    });
    sizes.appendChild(scale);
    row(sizes, symbol(16, {width: "8px", height: "8px", border: "1.5px solid #444"}), spec.hollow);
    row(sizes, symbol(16, {width: "14px", height: "14px", border: "2px dashed #d7301f"}), spec.ring);
    var colours = block(spec.colour_title);
    spec.colours.forEach(function (c) {
      row(colours, symbol(16, {width: "11px", height: "11px", background: c[1]}), c[0]);
    });
    var extra = spec.notices.map(function (t) { return el("div", "sa-notice", t); });
    extra.push(el("div", "sa-note", spec.note));
    return {blocks: [[0, sizes], [1, colours]], extra: extra};
  }

  // One legend per map, one section per layer shown; folded to its button on narrow maps.
  function legendBox(map) {
    if (map._saLegend) return map._saLegend;
    injectCss();
    var box = el("details", "sa-legend"), body = el("div");
    box.open = map.getSize().x >= OPEN_MIN_WIDTH;
    box.appendChild(el("summary", null, "Legend"));
    box.appendChild(body);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    // top right: data along the Euphrates (north-west to south-east) leaves that corner empty
    var control = L.control({position: "topright"});
    control.onAdd = function () { return box; };
    control.addTo(map);
    map._saLegend = {box: box, body: body, sections: {}, refit: box.open && map._saFit};
    return map._saLegend;
  }

  function drawLegend(state) {
    var sections = SECTIONS.map(function (name) { return state.sections[name]; }).filter(Boolean);
    state.body.textContent = "";
    state.body.appendChild(columns(sections));
    var extra = [];
    sections.forEach(function (section) { extra = extra.concat(section.extra); });
    extra.forEach(function (n) { state.body.appendChild(n); });
    state.box.style.display = sections.length ? "" : "none";
  }

  // Two short columns: sizes and province shades on the left, the colour key on the right.
  function columns(sections) {
    var cols = el("div", "sa-cols"), col = [el("div", "sa-col"), el("div", "sa-col")];
    sections.forEach(function (section) {
      section.blocks.forEach(function (b) { col[b[0]].appendChild(b[1]); });
    });
    col.forEach(function (c) { if (c.childNodes.length) cols.appendChild(c); });
    return cols;
  }

  // Show a legend section while `owner` (the map, or a layer group) is on the map.
  function legendSection(owner, name, build) {
    injectCss();
    function add(map) {
      var state = legendBox(map);
      state.sections[name] = build();
      drawLegend(state);
      if (state.refit) {  // once, as the legend first opens: keep the fitted data clear of it
        var fit = state.refit;
        state.refit = null;
        map.fitBounds(fit.bounds, {maxZoom: fit.maxZoom, paddingTopLeft: fit.topLeft,
          paddingBottomRight: [Math.max(fit.bottomRight[0], state.box.offsetWidth + 20), fit.bottomRight[1]]});
      }
    }
    if (owner instanceof L.Map) { add(owner); return; }
    owner.on("add", function () { add(owner._map); });
    owner.on("remove", function () {
      var state = owner._map && owner._map._saLegend;
      if (state && state.sections[name]) { delete state.sections[name]; drawLegend(state); }
    });
    if (owner._map) add(owner._map);
  }

  function legend(owner, spec) {
    legendSection(owner, "incidents", function () { return incidentSection(spec); });
  }

  // A legend on its own, outside a map (kept for callers that place it themselves).
  function legendNode(spec) {
    injectCss();
    var box = el("div", "sa-legend"), section = incidentSection(spec);
    box.appendChild(columns([section]));
    section.extra.forEach(function (n) { box.appendChild(n); });
    return box;
  }

  // --- province outlines ----------------------------------------------------------------------

  function safeHtml(text) {  // attribution controls take HTML: the credit goes in as text
    var d = document.createElement("div");
    d.textContent = text;
    return d.innerHTML;
  }

  // Province outlines filled by reported deaths, under the markers (same canvas, drawn first).
  // With data.selectable, a click reports {province} to st_folium (fresh each click, so a second
  // click on the same province is a new value) and the dashboard adds or removes it in its filter.
  function outlines(group, data) {
    injectCss();
    var canvas = renderer(), shapes = [];
    data.shapes.forEach(function (geometry, i) {
      var info = data.props[i];
      var base = {renderer: canvas, color: info.s ? "#08306b" : "#666", weight: info.s ? 3 : 1,
                  fillColor: info.c, fillOpacity: 0.5};
      var shape = L.GeoJSON.geometryToLayer({type: "Feature", geometry: geometry, properties: {}}, base);
      shape.options.saInfo = info;
      shape.toGeoJSON = data.selectable && info.p ? function () {
        return {type: "Feature", geometry: null, properties: {province: info.p, clicked: Date.now()}};
      } : null;
      shape.on("mouseover", function () { shape.setStyle({weight: info.s ? 4 : 2.5}); });
      shape.on("mouseout", function () { shape.setStyle({weight: base.weight}); });
      group.addLayer(shape);
      shapes.push(shape);
    });
    group.bindTooltip(function (layer) {
      var info = layer.options.saInfo, box = el("div", "sa-tip");
      if (!info) return box;
      box.appendChild(el("b", null, info.l));
      box.appendChild(document.createTextNode(" · " + num(info.d) + " reported death" +
                                              (info.d === 1 ? "" : "s") + " " + data.legend.scope));
      if (data.selectable && info.p) {
        box.appendChild(el("div", "sa-muted", info.s ? "Click to remove it from the province filter"
                                                      : "Click to add it to the province filter"));
      }
      return box;
    }, {sticky: true});
    legendSection(group, "outlines", function () {
      var b = block(data.legend.title), ramp = el("div", "sa-ramp");
      data.legend.rows.forEach(function (r) {
        var step = el("div", "sa-step"), swatch = el("span");
        swatch.style.background = r[1];
        step.appendChild(swatch);
        step.appendChild(el("span", null, r[0]));
        ramp.appendChild(step);
      });
      b.appendChild(ramp);
      if (data.selectable) b.appendChild(el("div", "sa-muted", "Click a province to filter by it."));
      return {blocks: [[0, b]], extra: []};
    });
    if (data.credit) {
      var credit = safeHtml(data.credit);
      group.on("add", function () { group._map.attributionControl.addAttribution(credit); });
      group.on("remove", function () { group._map.attributionControl.removeAttribution(credit); });
      if (group._map) group._map.attributionControl.addAttribution(credit);
    }
    window.strikeAtlasOutlines = {count: shapes.length, group: group};
    return shapes.length;
  }

  // --- layer ----------------------------------------------------------------------------------

  function draw(group, data) {
    injectCss();
    var t0 = performance.now(), canvas = renderer();
    var cells = data.mode === "cells";
    var markers = cells ? cellMarkers(data, canvas) : placeMarkers(data, canvas);
    // big marks first, so small ones stay on top and clickable
    markers.sort(function (a, b) { return b.options.radius - a.options.radius; });
    for (var i = 0; i < markers.length; i++) group.addLayer(markers[i]);
    group.bindTooltip(function (layer) {
      return cells ? cellTooltip(data, layer) : pointTooltip(data, layer);
    }, {sticky: true});
    group.bindPopup(function (layer) {
      return cells ? cellPopup(data, layer) : pointPopup(data, layer);
    }, {maxWidth: 360});
    var hook = {count: markers.length, mode: data.mode, incidents: data.n, group: group,
                buildMs: performance.now() - t0, drawnMs: null};
    window.strikeAtlasLayer = hook;
    // Leaflet paints the canvas on the next animation frame; record when that has happened.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { hook.drawnMs = performance.now(); });
    });
    return hook;
  }

  // Base-map settings: a plain background (marks stay visible when tiles fail), a metric scale
  // bar and the attribution.
  function setupMap(map, options) {
    injectCss();
    map.getContainer().style.background = options.background;
    map._saFit = options.fit || null;
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    if (map.attributionControl && options.attribution) {
      map.attributionControl.addAttribution(safeHtml(options.attribution));
    }
  }

  window.StrikeAtlas = {draw: draw, legend: legend, legendNode: legendNode, outlines: outlines,
                        setupMap: setupMap};
})();
