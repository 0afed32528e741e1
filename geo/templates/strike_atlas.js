/* Strike Atlas map runtime: draws the compact incident payload (geo/maplayer.py) on a Leaflet
 * canvas and builds tooltips, popups and the legend from DOM nodes with textContent — data never
 * goes through innerHTML. Defined once per page (window.StrikeAtlas). */
(function () {
  "use strict";
  if (window.StrikeAtlas) return;

  var CSS = [
    ".sa-legend{background:rgba(255,255,255,.93);padding:6px 8px;font:12px/1.35 sans-serif;",
    "color:#222;max-width:250px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35)}",
    ".sa-legend h4{margin:4px 0 2px;font-size:12px}.sa-legend summary{cursor:pointer;font-weight:bold}",
    ".sa-row{display:flex;align-items:center;gap:6px;margin:2px 0}",
    ".sa-sym{flex:none;display:flex;justify-content:center;align-items:center}",
    ".sa-dot{border-radius:50%;box-sizing:border-box}",
    ".sa-notice{margin:4px 0;padding:3px 5px;background:#fff3cd;border-left:3px solid #d39e00}",
    ".sa-note{margin-top:4px;color:#555;font-size:11px}",
    ".sa-popup p{margin:2px 0}.sa-popup blockquote{margin:4px 0;padding-left:6px;",
    "border-left:3px solid #bbb;color:#333;font-style:italic}",
    ".sa-popup .sa-muted{color:#666;font-size:11px}"
  ].join("");

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

  // --- points ---------------------------------------------------------------------------------

  function placeMarkers(data, renderer) {
    var xs = undelta(data.x), ys = undelta(data.y), f = data.f, markers = [], row = 0;
    var dayN = data.d0, days = new Array(data.n), places = new Array(data.n);
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
        markers.push(m);
      }
    }
    data._days = days;
    return markers;
  }

  function placeNames(data, n) {
    var pl = data.pl[n];
    pl = Array.isArray(pl) ? pl : [pl];
    var located = pl.slice(0, data.np[n]).map(function (i) { return data.s[i]; });
    var unlocated = pl.slice(data.np[n]).map(function (i) { return data.s[i]; });
    return {located: located, unlocated: unlocated};
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
    wrap.style.width = wrap.style.height = size + "px";
    Object.keys(css).forEach(function (k) { dot.style[k] = css[k]; });
    wrap.appendChild(dot);
    return wrap;
  }

  function legendNode(spec) {
    var outer = el("details", "sa-legend"), box = el("div"), biggest = 0;
    outer.open = true;
    outer.appendChild(el("summary", null, "Legend"));
    outer.appendChild(box);
    spec.sizes.forEach(function (s) { biggest = Math.max(biggest, 2 * s[1] + 2); });
    box.appendChild(el("h4", null, spec.title));
    spec.sizes.forEach(function (s) {
      var row = el("div", "sa-row"), d = 2 * s[1] + "px";
      row.appendChild(symbol(biggest, {width: d, height: d, background: "#fc8d59", border: "1px solid #fff"}));
      row.appendChild(el("span", null, num(s[0])));
      box.appendChild(row);
    });
    [[spec.hollow, "8px", "1.5px solid #444"], [spec.ring, "16px", "2px dashed #d7301f"]].forEach(function (r) {
      var row = el("div", "sa-row");
      row.appendChild(symbol(biggest, {width: r[1], height: r[1], border: r[2]}));
      row.appendChild(el("span", null, r[0]));
      box.appendChild(row);
    });
    box.appendChild(el("h4", null, spec.colour_title));
    spec.colours.forEach(function (c) {
      var row = el("div", "sa-row");
      row.appendChild(symbol(14, {width: "12px", height: "12px", background: c[1]}));
      row.appendChild(el("span", null, c[0]));
      box.appendChild(row);
    });
    spec.notices.forEach(function (t) { box.appendChild(el("div", "sa-notice", t)); });
    box.appendChild(el("div", "sa-note", spec.note));
    L.DomEvent.disableClickPropagation(outer);
    L.DomEvent.disableScrollPropagation(outer);
    return outer;
  }

  // Show the legend while `owner` (the map, or the incident group) is on the map.
  function legend(owner, spec) {
    injectCss();
    var control = L.control({position: "bottomright"});
    control.onAdd = function () { return legendNode(spec); };
    if (owner instanceof L.Map) { control.addTo(owner); return control; }
    owner.on("add", function () { control.addTo(owner._map); });
    owner.on("remove", function () { control.remove(); });
    if (owner._map) control.addTo(owner._map);
    return control;
  }

  // --- layer ----------------------------------------------------------------------------------

  function draw(group, data) {
    injectCss();
    var t0 = performance.now(), renderer = L.canvas({padding: 0.3});
    var cells = data.mode === "cells";
    var markers = cells ? cellMarkers(data, renderer) : placeMarkers(data, renderer);
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

  // Base-map settings: a plain background (marks stay visible when tiles fail) and attribution.
  function setupMap(map, options) {
    injectCss();
    map.getContainer().style.background = options.background;
    if (map.attributionControl && options.attribution) {
      map.attributionControl.addAttribution(options.attribution);
    }
  }

  window.StrikeAtlas = {draw: draw, legend: legend, setupMap: setupMap, legendNode: legendNode};
})();
