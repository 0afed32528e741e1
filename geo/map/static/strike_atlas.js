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
    "line-height:1.35}",
    // the hover tooltip never sits over an open popup
    ".sa-popup-open .leaflet-tooltip{display:none}",
    ".leaflet-control-attribution.sa-folded{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;",
    "cursor:pointer}",
    ".sa-labels{position:absolute;left:0;top:0}",
    ".sa-label{position:absolute;white-space:nowrap;font:11px/1.2 sans-serif;color:#333;",
    "text-shadow:0 0 2px #f4f1ea,0 0 2px #f4f1ea,0 0 3px #f4f1ea;transform:translate(-3px,-50%)}",
    ".sa-label:before{content:'';display:inline-block;width:4px;height:4px;border-radius:50%;",
    "background:#555;margin-right:3px;vertical-align:middle}",
    ".sa-label.sa-big{font-size:13px;font-weight:bold}.sa-label.sa-mid{font-size:12px}",
    ".sa-label .sa-ar{margin-left:4px;font-size:.92em;color:#555}",
    ".sa-list{background:rgba(255,255,255,.94);font:12px/1.3 sans-serif;color:#222;border-radius:4px;",
    "box-shadow:0 1px 4px rgba(0,0,0,.35);padding:2px 6px;max-width:min(320px,calc(100vw - 70px))}",
    ".sa-list summary{cursor:pointer;font-weight:bold;padding:2px 0}",
    ".sa-list ul{list-style:none;margin:2px 0;padding:0;max-height:180px;overflow:auto}",
    ".sa-list button{all:unset;display:block;width:100%;box-sizing:border-box;padding:2px 3px;cursor:pointer;",
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".sa-list button:focus-visible,.sa-list summary:focus-visible,.sa-popup button:focus-visible{",
    "outline:2px solid #1a73e8;outline-offset:1px}",
    ".sa-list button:hover{background:rgba(0,0,0,.07)}",
    ".sa-popup button.sa-action{margin-top:5px;padding:3px 8px;font:inherit;cursor:pointer}",
    ".sa-zoomto a{font-size:16px;line-height:30px}",
    ".sa-time{display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px;background:rgba(255,255,255,.94);",
    "font:12px/1.3 sans-serif;color:#222;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);",
    "padding:3px 6px;max-width:min(460px,calc(100vw - 40px))}",
    ".sa-time input[type=range]{flex:1 1 120px;min-width:90px}.sa-time .sa-when{flex:1 0 100%}",
    ".sa-time button,.sa-time select{font:inherit;padding:1px 6px;cursor:pointer}",
    ".sa-time .sa-play{min-width:30px}",
    "@media (prefers-color-scheme: dark){",
    ".sa-legend,.sa-list,.sa-time{background:rgba(32,33,36,.94);color:#e8eaed}",
    ".sa-notice{background:#4a3b00;border-left-color:#f2c94c;color:#fff}",
    ".sa-note,.sa-muted,.sa-popup .sa-muted{color:#b0b3b8}",
    ".leaflet-container .leaflet-popup-content-wrapper,.leaflet-container .leaflet-popup-tip,",
    ".leaflet-container .leaflet-tooltip{background:#202124;color:#e8eaed;border-color:#555}",
    ".leaflet-tooltip-top:before{border-top-color:#202124}.leaflet-tooltip-bottom:before{border-bottom-color:#202124}",
    ".leaflet-tooltip-left:before{border-left-color:#202124}.leaflet-tooltip-right:before{border-right-color:#202124}",
    ".sa-popup blockquote{color:#ccc;border-left-color:#777}.sa-popup a{color:#8ab4f8}",
    ".leaflet-container .leaflet-control-attribution,.leaflet-container .leaflet-control-scale-line{",
    "background:rgba(32,33,36,.85);color:#ccc}.leaflet-container .leaflet-control-attribution a{color:#8ab4f8}",
    ".leaflet-bar a{background:#202124;color:#e8eaed;border-bottom-color:#555}",
    ".sa-label{color:#e8eaed;text-shadow:0 0 2px #1b1d21,0 0 2px #1b1d21,0 0 3px #1b1d21}",
    ".sa-label:before{background:#ccc}.sa-label .sa-ar{color:#c4c7cc}",
    ".sa-list button:hover{background:rgba(255,255,255,.1)}}"
  ].join("");

  var DARK = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  function dark() { return !!(DARK && DARK.matches); }
  // The base map's colours, light and dark: sea (the map's background), land, Syria, lines.
  var BASE_COLOURS = {
    light: {sea: "#cfe0ea", land: "#efece4", syria: "#f8f6f0", border: "#8a8478", province: "#a39c8f",
            river: "#5b93c4", lake: "#b7d2e4"},
    dark: {sea: "#16222c", land: "#26282c", syria: "#2e3035", border: "#8d8f94", province: "#6a6d73",
           river: "#4f86b8", lake: "#1f3a50"}
  };
  function baseColours() { return BASE_COLOURS[dark() ? "dark" : "light"]; }
  // Popups keep this clear (px) of the map's edges: the zoom buttons top left, the scale and
  // attribution along the bottom; controls on the right are allowed for when a popup opens.
  var POPUP = {maxWidth: 360, autoPanPaddingTopLeft: [56, 84], autoPanPaddingBottomRight: [24, 36]};

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

  // --- popups ---------------------------------------------------------------------------------

  // After a popup opens: pan so it clears any control it overlaps (the legend, the list), and
  // hide the hover tooltip while it is open (CSS on the container's sa-popup-open class).
  function watchPopups(map) {
    if (map._saPopups) return;
    map._saPopups = true;
    map.on("popupopen", function (e) {
      L.DomUtil.addClass(map.getContainer(), "sa-popup-open");
      var box = e.popup.getElement();
      if (!box) return;
      var p = box.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
      var dx = 0, dy = 0;
      map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
        var r = c.getBoundingClientRect();
        if (!r.width || r.left >= p.right || r.right <= p.left || r.top >= p.bottom || r.bottom <= p.top) return;
        var right = r.left + r.width / 2 > frame.left + frame.width / 2;
        var top = r.top + r.height / 2 < frame.top + frame.height / 2;
        var sideways = right ? r.left - 8 - p.right : r.right + 8 - p.left;  // px the popup moves
        var down = top ? r.bottom + 8 - p.top : r.top - 8 - p.bottom;
        if (Math.abs(sideways) <= Math.abs(down) && p.width + Math.abs(sideways) < frame.width) {
          dx = Math.abs(sideways) > Math.abs(dx) ? sideways : dx;
        } else {
          dy = Math.abs(down) > Math.abs(dy) ? down : dy;
        }
      });
      if (dx || dy) map.panBy([-dx, -dy]);
    });
    map.on("popupclose", function () { L.DomUtil.removeClass(map.getContainer(), "sa-popup-open"); });
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
    box.addEventListener("toggle", function () { map.fire("sacontrols"); });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    // top right: data along the Euphrates (north-west to south-east) leaves that corner empty
    var control = L.control({position: "topright"});
    control.onAdd = function () { return box; };
    control.addTo(map);
    map._saLegend = {map: map, box: box, body: body, sections: {}, refit: box.open && map._saFit};
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
    if (state.map) state.map.fire("sacontrols");
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
  // A click opens the province's popup; only its "Filter by this province" button (with
  // data.selectable) reports {province} to st_folium, through a layer that exists for that alone
  // (st_folium listens to clicks on every layer; the shapes themselves report nothing).
  function outlines(group, data) {
    injectCss();
    var canvas = renderer(), shapes = [];
    var trigger = L.layerGroup();
    trigger.toGeoJSON = null;
    group.addLayer(trigger);
    data.shapes.forEach(function (geometry, i) {
      var info = data.props[i];
      // in dark mode a province without deaths is barely tinted, not a pale patch
      var base = {renderer: canvas, color: info.s ? "#08306b" : "#666", weight: info.s ? 3 : 1,
                  fillColor: info.c, fillOpacity: info.d || !dark() ? 0.5 : 0.12};
      var shape = L.GeoJSON.geometryToLayer({type: "Feature", geometry: geometry, properties: {}}, base);
      shape.options.saInfo = info;
      shape.toGeoJSON = null;  // a click on the shape itself never filters
      shape.on("mouseover", function () { shape.setStyle({weight: info.s ? 4 : 2.5}); });
      shape.on("mouseout", function () { shape.setStyle({weight: base.weight}); });
      group.addLayer(shape);
      shapes.push(shape);
    });
    function deathsText(info) {
      return num(info.d) + " reported death" + (info.d === 1 ? "" : "s") + " " + data.legend.scope;
    }
    group.bindTooltip(function (layer) {
      var info = layer.options.saInfo, box = el("div", "sa-tip");
      if (!info) return box;
      box.appendChild(el("b", null, info.l));
      box.appendChild(document.createTextNode(" · " + deathsText(info)));
      return box;
    }, {sticky: true});
    group.bindPopup(function (layer) {
      var info = layer.options.saInfo, box = el("div", "sa-popup");
      box.setAttribute("role", "dialog");
      if (!info) return box;
      box.setAttribute("aria-label", "Province " + info.l);
      box.appendChild(el("b", null, info.l));
      box.appendChild(el("p", null, deathsText(info)));
      if (data.selectable && info.p) {
        var button = el("button", "sa-action", info.s ? "Remove from the province filter"
                                                       : "Filter by this province");
        button.type = "button";
        L.DomEvent.on(button, "click", function (e) {
          L.DomEvent.stop(e);
          var province = info.p, at = layer.getBounds ? layer.getBounds().getCenter() : null;
          trigger.fire("click", {latlng: at, layer: {toGeoJSON: function () {
            return {type: "Feature", geometry: null, properties: {province: province, clicked: Date.now()}};
          }}}, false);
          if (group._map) group._map.closePopup();
        });
        box.appendChild(button);
      }
      return box;
    }, POPUP);
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
      if (data.selectable) b.appendChild(el("div", "sa-muted", "Click a province, then “Filter by this province”."));
      return {blocks: [[0, b]], extra: []};
    });
    if (data.credit) {
      var credit = safeHtml(data.credit);
      group.on("add", function () { group._map.attributionControl.addAttribution(credit); });
      group.on("remove", function () { group._map.attributionControl.removeAttribution(credit); });
      if (group._map) group._map.attributionControl.addAttribution(credit);
    }
    if (group._map) watchPopups(group._map);
    group.on("add", function () { watchPopups(group._map); });
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
    function tip(layer) { return cells ? cellTooltip(data, layer) : pointTooltip(data, layer); }
    group.bindTooltip(tip, {sticky: true});
    group.bindPopup(function (layer) {
      var box = cells ? cellPopup(data, layer) : pointPopup(data, layer);
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", tip(layer).textContent);
      box.tabIndex = -1;
      return box;
    }, POPUP);
    // cell: the grid size in degrees of a cells layer (null for single incidents), read by the tests
    var hook = {count: markers.length, mode: data.mode, cell: cells ? data.cell : null, incidents: data.n,
                group: group, buildMs: performance.now() - t0, drawnMs: null};
    window.strikeAtlasLayer = hook;
    zoomToSelection(group);  // under the zoom buttons, above the list
    keyboardList(group, markers, tip);
    if (!cells) timeSlider(group, markers, data);
    if (group._map) watchPopups(group._map);
    group.on("add", function () { watchPopups(group._map); });
    // Leaflet paints the canvas on the next animation frame; record when that has happened.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { hook.drawnMs = performance.now(); });
    });
    return hook;
  }

  // --- keyboard: a list of the incidents in view ------------------------------------------------

  var LIST_MAX = 200;  // entries listed; more in view → the list says how many and asks to zoom in

  // The canvas marks have no DOM of their own, so a list (bottom left) stands in for them: Tab
  // reaches it, Enter on an entry opens that mark's popup, Escape closes it and returns to the entry.
  function keyboardList(group, markers, tip) {
    var state = null, opener = null;
    function build(map) {
      if (map._saList) return map._saList;
      var box = el("details", "sa-list"), summary = el("summary", null, "Incidents in view");
      var list = el("ul"), more = el("div", "sa-muted");
      list.setAttribute("aria-label", "Incidents in view. Enter opens an incident's popup, Escape closes it.");
      box.appendChild(summary);
      box.appendChild(list);
      box.appendChild(more);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var control = L.control({position: "topleft"});  // under the zoom buttons, clear of the credits
      control.onAdd = function () { return box; };
      control.addTo(map);
      map._saList = {box: box, summary: summary, list: list, more: more, refresh: null};
      map.fire("sacontrols");  // town names move out of its way
      map.on("moveend", function () { if (map._saList.refresh) map._saList.refresh(); });
      // the list opening or closing changes what the town names must keep clear of
      box.addEventListener("toggle", function () { map.fire("sacontrols"); });
      L.DomEvent.on(map.getContainer(), "keydown", function (e) {
        if ((e.key === "Escape" || e.keyCode === 27) && map._popup && map._popup.isOpen()) {
          map.closePopup();
          if (map._saList.opener && document.body.contains(map._saList.opener)) map._saList.opener.focus();
          L.DomEvent.stop(e);
        }
      });
      // However the popup closes (Escape here or in Leaflet, its × button), focus that was in it
      // goes back to the entry that opened it.
      map.on("popupclose", function (e) {
        var opener = map._saList.opener, box = e.popup.getElement(), active = document.activeElement;
        var lost = !active || active === document.body || (box && box.contains(active));
        if (opener && lost && document.body.contains(opener)) opener.focus();
      });
      var container = map.getContainer();
      container.setAttribute("role", "region");
      container.setAttribute("aria-label", "Map of reported incidents. The list of incidents in view is at its bottom left.");
      return map._saList;
    }
    function refresh() {
      var map = group._map;
      if (!map || !state) return;
      var bounds = map.getBounds(), shown = [];
      for (var i = 0; i < markers.length; i++) {
        if (group.hasLayer(markers[i]) && bounds.contains(markers[i].getLatLng())) shown.push(markers[i]);
      }
      shown.sort(function (a, b) { return a.options.sa - b.options.sa || (a.options.saPlace || 0) - (b.options.saPlace || 0); });
      var key = shown.map(function (m) { return L.stamp(m); }).join(",");
      if (key === state.key) return;  // same marks in view (e.g. a popup's pan): keep the focus where it is
      state.key = key;
      var reopen = state.opener && state.opener._saMark, focused = null;
      if (state.list.contains(document.activeElement)) focused = document.activeElement._saMark;
      state.list.textContent = "";
      var unit = markers.length && markers[0].options.saPlace === undefined ? " cell" : " mark";
      state.summary.textContent = "Incidents in view (" + num(shown.length) + unit + (shown.length === 1 ? "" : "s") + ")";
      shown.slice(0, LIST_MAX).forEach(function (m) {
        var item = el("li"), button = el("button", null, tip(m).textContent);
        button.type = "button";
        button._saMark = m;
        if (reopen === m) state.opener = button;  // Escape still returns to this entry
        L.DomEvent.on(button, "click", function (e) {
          L.DomEvent.stop(e);
          state.opener = button;
          m.fire("click", {latlng: m.getLatLng()}, true);  // propagate: the group opens popups
          var popup = map._popup && map._popup.getElement();
          var content = popup && popup.querySelector(".sa-popup");
          if (content) content.focus();
        });
        item.appendChild(button);
        state.list.appendChild(item);
        if (focused === m) button.focus();  // a rebuild while an entry has the focus keeps it there
      });
      state.more.textContent = shown.length > LIST_MAX
        ? num(shown.length - LIST_MAX) + " more in view: zoom in to list them." : "";
    }
    function attach() {
      state = build(group._map);
      state.refresh = refresh;
      state.key = null;
      refresh();
    }
    group.on("add", attach);
    group.on("remove", function () { if (state && state.refresh === refresh) { state.refresh = null; state.list.textContent = ""; } });
    if (group._map) attach();
  }

  // --- zoom to selection ------------------------------------------------------------------------

  // A button under the zoom buttons: fit the map to the incidents shown (the layer's marks).
  function zoomToSelection(group) {
    function attach() {
      var map = group._map;
      if (!map._saZoomTo) {
        var box = el("div", "leaflet-bar sa-zoomto"), button = el("a", null, "⤢");
        button.href = "#";
        button.setAttribute("role", "button");
        button.title = "Zoom to the incidents shown";
        button.setAttribute("aria-label", "Zoom to the incidents shown");
        box.appendChild(button);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.on(button, "click", function (e) {
          L.DomEvent.preventDefault(e);
          var target = map._saZoomTo.group, bounds = target && target.getBounds();
          if (bounds && bounds.isValid()) {
            map.fitBounds(bounds, {maxZoom: 11, paddingTopLeft: [50, 60], paddingBottomRight: [40, 40]});
          }
        });
        var control = L.control({position: "topleft"});
        control.onAdd = function () { return box; };
        control.addTo(map);
        map._saZoomTo = {group: null};
        map.fire("sacontrols");
      }
      map._saZoomTo.group = group;
    }
    group.on("add", attach);
    if (group._map) attach();
  }

  // --- time: a window over the incidents' dates, stepped by hand or played ---------------------

  var PLAY_MS = 900;  // per step while playing
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function dayLabel(n) {
    var d = new Date(n * 86400000);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  // Window starts (day numbers) from the first to the last day, by day, week or calendar month.
  function windowStarts(first, last, step) {
    var starts = [];
    if (step === "month") {
      var d = new Date(first * 86400000), y = d.getUTCFullYear(), m = d.getUTCMonth();
      for (var t = Date.UTC(y, m, 1) / 86400000; t <= last; t = Date.UTC(y, ++m, 1) / 86400000) starts.push(t);
    } else {
      for (var s = first; s <= last; s += step === "week" ? 7 : 1) starts.push(s);
    }
    return starts;
  }

  function windowEnd(start, step) {  // first day after the window
    if (step !== "month") return start + (step === "week" ? 7 : 1);
    var d = new Date(start * 86400000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 86400000;
  }

  // A bar at the bottom left: "All dates" or one window (day, week, month) of the selection,
  // with play and pause. A mark shows while its incident's days overlap the window.
  function timeSlider(group, markers, data) {
    var first = Infinity, last = -Infinity;
    for (var n = 0; n < data.n; n++) {
      first = Math.min(first, data._days[n]);
      last = Math.max(last, data._days[n] + Math.max(data.sp[n], 1) - 1);
    }
    if (!(last > first)) return;  // one day: nothing to step through
    var box = el("div", "sa-time"), play = el("button", "sa-play", "▶"), range = el("input");
    var label = el("span", "sa-when", "All dates"), step = el("select"), all = el("button", null, "All dates");
    play.type = all.type = "button";
    play.setAttribute("aria-label", "Play the incidents through time");
    range.type = "range";
    range.min = 0;
    range.setAttribute("aria-label", "Time window");
    [["day", "Day"], ["week", "Week"], ["month", "Month"]].forEach(function (o) {
      var option = el("option", null, o[1]);
      option.value = o[0];
      step.appendChild(option);
    });
    var span = last - first;
    step.value = span > 180 ? "month" : span > 21 ? "week" : "day";
    step.setAttribute("aria-label", "Window length");
    label.setAttribute("aria-live", "polite");
    [play, range, step, all, label].forEach(function (node) { box.appendChild(node); });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var starts = [], timer = null, current = null;
    var hook = window.strikeAtlasTime = {start: null, end: null, shown: markers.length, label: "All dates"};

    function setStarts() {
      starts = windowStarts(first, last, step.value);
      range.max = starts.length - 1;
    }
    function show(index) {  // index into starts, or null for every date
      current = index;
      var start = index === null ? -Infinity : starts[index], end = index === null ? Infinity : windowEnd(start, step.value);
      var shown = 0;
      for (var i = 0; i < markers.length; i++) {
        var n = markers[i].options.sa, from = data._days[n], to = from + Math.max(data.sp[n], 1);
        var inside = from < end && to > start;
        if (inside && !group.hasLayer(markers[i])) group.addLayer(markers[i]);
        if (!inside && group.hasLayer(markers[i])) group.removeLayer(markers[i]);
        if (inside) shown += 1;
      }
      var text = index === null ? "All dates" : step.value === "day" ? dayLabel(start)
        : dayLabel(start) + " – " + dayLabel(end - 1);
      label.textContent = text + (index === null ? "" : " · " + num(shown) + " mark" + (shown === 1 ? "" : "s"));
      if (index !== null) range.value = index;
      hook.start = index === null ? null : day(start);
      hook.end = index === null ? null : day(end - 1);
      hook.shown = shown;
      hook.label = label.textContent;
      if (group._map && group._map._saList && group._map._saList.refresh) {
        group._map._saList.key = null;
        group._map._saList.refresh();
      }
    }
    function pause() {
      if (timer) clearInterval(timer);
      timer = null;
      play.textContent = "▶";
      play.setAttribute("aria-label", "Play the incidents through time");
    }
    function start() {
      if (current === null || current >= starts.length - 1) show(0);
      timer = setInterval(function () {
        if (current >= starts.length - 1) { pause(); return; }
        show(current + 1);
      }, PLAY_MS);
      play.textContent = "❚❚";
      play.setAttribute("aria-label", "Pause");
    }
    setStarts();
    L.DomEvent.on(play, "click", function () { if (timer) pause(); else start(); });
    L.DomEvent.on(range, "input", function () { pause(); show(Number(range.value)); });
    L.DomEvent.on(step, "change", function () {
      var at = current === null ? null : starts[current];
      setStarts();
      if (at !== null) {
        var index = 0;
        while (index + 1 < starts.length && starts[index + 1] <= at) index++;
        show(index);
      }
    });
    L.DomEvent.on(all, "click", function () { pause(); show(null); });
    hook.play = start;
    hook.pause = pause;
    hook.show = show;
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () { return box; };
    function attach() { control.addTo(group._map); group._map.fire("sacontrols"); }
    group.on("add", attach);
    group.on("remove", function () { pause(); control.remove(); });
    if (group._map) attach();
  }

  // --- the offline base map ---------------------------------------------------------------------

  // Town names: drawn when the zoom reaches each one's level, biggest towns first, skipping a
  // name that would overlap one already placed. In a pane under the tiles, like the geography.
  var Labels = L.Layer.extend({
    initialize: function (labels) { this._labels = labels; this.shown = 0; this.names = []; },
    onAdd: function (map) {
      this._box = el("div", "sa-labels leaflet-zoom-hide");
      this._box.setAttribute("aria-hidden", "true");
      map.getPane("saLabels").appendChild(this._box);
      map.on("zoomend moveend resize sacontrols", this._update, this);
      // first placed after the marks' first frame: the incidents come first
      var self = this;
      setTimeout(function () { if (self._map) self._update(); }, 0);
    },
    onRemove: function (map) {
      map.off("zoomend moveend resize sacontrols", this._update, this);
      this._box.remove();
    },
    _update: function () {
      var map = this._map, zoom = map.getZoom(), bounds = map.getBounds().pad(0.1), placed = [];
      var size = map.getSize(), frame = map.getContainer().getBoundingClientRect();
      // names never hide under the controls (legend, zoom buttons, list, attribution)
      map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
        var r = c.getBoundingClientRect();
        if (r.width) placed.push({l: r.left - frame.left, t: r.top - frame.top, r: r.right - frame.left, b: r.bottom - frame.top});
      });
      this._box.textContent = "";
      this.shown = 0;
      this.names = [];
      // Every candidate goes in at once and is measured in one layout pass, then the clashing
      // ones leave (measuring each as it is added would lay the page out once per name).
      var candidates = [];
      for (var i = 0; i < this._labels.length; i++) {
        var l = this._labels[i];
        if (l[4] > zoom || !bounds.contains([l[3], l[2]])) continue;
        var label = el("div", "sa-label" + (l[4] <= 6 ? " sa-big" : l[4] <= 8 ? " sa-mid" : ""));
        label.appendChild(el("span", "sa-en", l[0]));
        if (l[1]) {
          var ar = el("span", "sa-ar", l[1]);
          ar.lang = "ar";
          ar.dir = "rtl";
          label.appendChild(ar);
        }
        L.DomUtil.setPosition(label, map.latLngToLayerPoint([l[3], l[2]]));
        this._box.appendChild(label);
        candidates.push([label, l[0], map.latLngToContainerPoint([l[3], l[2]])]);
      }
      var sizes = candidates.map(function (c) { return [c[0].offsetWidth, c[0].offsetHeight]; });
      for (i = 0; i < candidates.length; i++) {
        var c = candidates[i][2], w = sizes[i][0], h = sizes[i][1];
        var r = {l: c.x - 3, t: c.y - h / 2, r: c.x - 3 + w, b: c.y + h / 2};
        var clash = r.l < 0 || r.r > size.x || r.t < 0 || r.b > size.y || placed.some(function (p) {
          return r.l < p.r + 4 && r.r + 4 > p.l && r.t < p.b && r.b > p.t;
        });
        if (clash) { candidates[i][0].remove(); continue; }
        placed.push(r);
        this.shown += 1;
        this.names.push(candidates[i][1]);
      }
    }
  });

  // Countries (land), lakes, rivers and Syria's governorates on their own canvas under the tiles,
  // so the geography shows offline and the tiles cover it once they load. Restyled when the
  // browser switches between light and dark.
  function basemap(map, data) {
    var base = map.createPane("saBase"), labelPane = map.createPane("saLabels");
    base.style.zIndex = 150;  // under the tile pane (200)
    // Names go over the province shading (overlay pane, 400) so they stay legible, under popups;
    // they step aside once the tiles, which carry their own names, have all loaded.
    labelPane.style.zIndex = 450;
    base.style.pointerEvents = labelPane.style.pointerEvents = "none";
    var canvas = L.canvas({pane: "saBase", padding: 0.3}), drawn = [];
    function add(geometries, role, names) {
      (geometries || []).forEach(function (geometry, i) {
        var layer = L.GeoJSON.geometryToLayer({type: "Feature", geometry: geometry, properties: {}},
                                               {renderer: canvas, interactive: false, pane: "saBase"});
        layer.options.saRole = names && names[i] === "Syria" ? "syria" : role;
        layer.addTo(map);
        drawn.push(layer);
      });
    }
    function style() {
      var c = baseColours();
      map.getContainer().style.background = c.sea;
      drawn.forEach(function (layer) {
        var role = layer.options.saRole;
        if (role === "country" || role === "syria") {
          layer.setStyle({color: c.border, weight: role === "syria" ? 1.6 : 0.8, fillColor: role === "syria" ? c.syria : c.land, fillOpacity: 1});
        } else if (role === "lake") {
          layer.setStyle({color: c.river, weight: 0.6, fillColor: c.lake, fillOpacity: 1});
        } else if (role === "river") {
          layer.setStyle({color: c.river, weight: 1.6, fill: false});
        } else {
          layer.setStyle({color: c.province, weight: 1, dashArray: "4 3", fill: false});
        }
      });
    }
    add(data.countries, "country", data.country_names);
    add(data.lakes, "lake");
    add(data.rivers, "river");
    add(data.provinces, "province");
    style();
    if (DARK && DARK.addEventListener) DARK.addEventListener("change", style);
    var labels = new Labels(data.labels || []).addTo(map);
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      var failed = false;
      layer.on("loading", function () { failed = false; });
      layer.on("tileerror", function () { failed = true; labelPane.style.display = ""; });
      layer.on("load", function () { labelPane.style.display = failed ? "" : "none"; });
    });
    window.strikeAtlasBase = {countries: (data.countries || []).length, rivers: (data.rivers || []).length,
                              lakes: (data.lakes || []).length, provinces: (data.provinces || []).length,
                              labels: labels, renderer: canvas, data: data};
    if (map.attributionControl) {  // one entry per credit: Leaflet merges the outlines' identical one
      (data.credits || []).forEach(function (c) { map.attributionControl.addAttribution(safeHtml(c)); });
    }
  }

  // On narrow maps the credits take one line, cut with an ellipsis; a click (or Enter) unfolds them.
  function foldCredits(map) {
    var box = map.attributionControl && map.attributionControl.getContainer();
    if (!box) return;
    box.tabIndex = 0;
    box.setAttribute("role", "button");
    box.setAttribute("aria-label", "Map credits (press to show them all)");
    function fit() {
      var narrow = map.getSize().x < OPEN_MIN_WIDTH;
      L.DomUtil[narrow && !box._saOpen ? "addClass" : "removeClass"](box, "sa-folded");
      box.style.maxWidth = Math.max(120, map.getSize().x - 110) + "px";  // clear of the scale bar
    }
    function toggle(e) {
      if (e.target && e.target.tagName === "A") return;
      box._saOpen = !box._saOpen;
      fit();
    }
    L.DomEvent.on(box, "click", toggle);
    L.DomEvent.on(box, "keydown", function (e) { if (e.key === "Enter" || e.key === " ") { L.DomEvent.stop(e); toggle(e); } });
    map.on("resize", fit);
    fit();
  }

  // Base-map settings: the offline base map (or a plain background), a metric scale bar and the
  // attribution.
  function setupMap(map, options) {
    injectCss();
    map.getContainer().style.background = options.background;
    map._saFit = options.fit || null;
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    if (map.attributionControl && options.attribution) {
      map.attributionControl.addAttribution(safeHtml(options.attribution));
    }
    if (options.basemap) basemap(map, options.basemap);
    watchPopups(map);
    foldCredits(map);
  }

  window.StrikeAtlas = {draw: draw, legend: legend, outlines: outlines,
                        setupMap: setupMap};
})();
