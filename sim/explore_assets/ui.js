// Curtain explorer interface: draws the map, keeps the layout, and shows CurtainEngine's numbers.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("curtain-data").textContent);
  var E = CurtainEngine, svgNS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("map"), nodes = data.nodes, edges = data.edges;
  var cache = {trees: new Map()};
  var start = data.layout.map(function (c) { return Object.assign({}, c); });
  var layout = start.map(function (c) { return Object.assign({}, c); });
  var baseline = E.metrics(data, start, cache);
  var picked = [], added = 0;
  var maxY = Math.max.apply(null, nodes.y), span = Math.max(Math.max.apply(null, nodes.x), maxY, 1);
  var pad = span * 0.03;
  svg.setAttribute("viewBox", [-pad, -pad, Math.max.apply(null, nodes.x) + 2 * pad, maxY + 2 * pad].join(" "));
  function X(n) { return nodes.x[n]; }
  function Y(n) { return maxY - nodes.y[n]; }  // north up

  function el(name, attrs, parent) {
    var node = document.createElementNS(svgNS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (parent || svg).appendChild(node);
    return node;
  }
  var roads = el("g", {}), overlay = el("g", {}), cameras = el("g", {}), points = el("g", {});
  var width = span / 400;
  roads.setAttribute("style", "stroke-width:" + width);

  // one clickable line per road (both directions), the lower edge number standing for it
  for (var e = 0; e < edges.u.length; e++) {
    var r = edges.reverse[e];
    if (r >= 0 && r < e) continue;
    var line = el("line", {x1: X(edges.u[e]), y1: Y(edges.u[e]), x2: X(edges.v[e]), y2: Y(edges.v[e]),
                           "class": "road" + (edges.major[e] ? " major" : ""), "data-edge": e,
                           "vector-effect": "non-scaling-stroke"}, roads);
    el("title", {}, line).textContent = "road from " + nodes.id[edges.u[e]] + " to " + nodes.id[edges.v[e]];
  }

  function cameraOn(edge) {
    var r = edges.reverse[edge];
    for (var i = 0; i < layout.length; i++) if (layout[i].edge === edge || (r >= 0 && layout[i].edge === r)) return i;
    return -1;
  }

  // none -> reads this way -> reads the other way -> both ways -> none
  function cycle(edge) {
    var i = cameraOn(edge), r = edges.reverse[edge];
    if (i < 0) { added += 1; layout.push({camera_id: "class-" + added, edge: edge, direction: "forward"}); return "a camera now reads traffic going one way"; }
    var c = layout[i];
    if (c.direction === "forward" && r >= 0) { c.direction = "backward"; return "the camera now reads the other way"; }
    if (c.direction === "backward") { c.direction = "both"; return "the camera now reads both ways"; }
    layout.splice(i, 1);
    return "camera removed";
  }

  function arrow(edge, parent) {
    var a = edges.u[edge], b = edges.v[edge], dx = X(b) - X(a), dy = Y(b) - Y(a), len = Math.hypot(dx, dy) || 1;
    var s = Math.min(span / 60, len / 3), mx = X(a) + dx * 0.6, my = Y(a) + dy * 0.6, ux = dx / len, uy = dy / len;
    var pts = [[mx + ux * s, my + uy * s], [mx - ux * s / 2 - uy * s / 1.6, my - uy * s / 2 + ux * s / 1.6],
               [mx - ux * s / 2 + uy * s / 1.6, my - uy * s / 2 - ux * s / 1.6]];
    el("polygon", {points: pts.map(function (p) { return p.join(","); }).join(" "), "class": "camera"}, parent);
  }

  function drawCameras() {
    cameras.textContent = "";
    layout.forEach(function (c) {
      var r = edges.reverse[c.edge];
      if (c.direction !== "backward") arrow(c.edge, cameras);
      if (c.direction !== "forward" && r >= 0) arrow(r, cameras);
    });
  }

  function pct(v) { return v === null || v === undefined ? "—" : (100 * v).toFixed(1) + " %"; }
  function num(v) { return v === null || v === undefined ? "—" : v.toFixed(2); }
  var rows = [
    ["share_trips_read_ge1", "trips read at least once", pct],
    ["share_trips_read_ge2", "trips read at least twice", pct],
    ["share_long_trips_read", "long trips (over " + data.long_trip_km + " km) read", function (v, m) {
      return pct(v) + (m && m.share_long_trips_read_n ? " of " + m.share_long_trips_read_n : ""); }],
    ["route_recall_mean", "of the average trip's route rebuilt from the reads", pct],
    ["camera_free_pair_share", "place pairs with a camera-free route", pct],
    ["detour_ratio_median", "how much longer that route takes (median, ×)", num],
    ["n_cameras", "cameras", String], ["n_reads", "reads", function (v) { return v.toLocaleString("en"); }]
  ];
  var current = baseline;

  function update(message) {
    var t0 = performance.now();
    current = E.metrics(data, layout, cache);
    var ms = performance.now() - t0;
    document.getElementById("numbers").innerHTML = rows.map(function (r) {
      return "<tr><td>" + r[1] + "</td><td class=num>" + r[2](current[r[0]], current) + "</td><td class=num>" +
             r[2](baseline[r[0]], baseline) + "</td></tr>";
    }).join("");
    document.getElementById("timing").textContent = "Worked out in " + ms.toFixed(0) + " ms over " +
      current.n_trips.toLocaleString("en") + " trips.";
    drawCameras();
    showCar();
    if (message) status(message);
  }

  function status(text) { document.getElementById("status").textContent = text; }

  function drawPath(list, cls) {
    if (!list.length) return;
    var d = "M" + X(edges.u[list[0]]) + " " + Y(edges.u[list[0]]);
    list.forEach(function (e) { d += "L" + X(edges.v[e]) + " " + Y(edges.v[e]); });
    el("path", {d: d, "class": cls, "vector-effect": "non-scaling-stroke"}, overlay);
  }

  function clock(t) {
    var day = Math.floor(t / 86400), s = t - day * 86400;
    var hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = Math.floor(s % 60);
    function two(x) { return (x < 10 ? "0" : "") + x; }
    return "day " + (day + 1) + " " + two(hh) + ":" + two(mm) + ":" + two(ss);
  }

  // one car's day: its true trips, its sightings and the trips rebuilt from them
  var carSelect = document.getElementById("car");
  var carTrips = new Map();
  data.trips.vehicle.forEach(function (v, t) { if (!carTrips.has(v)) carTrips.set(v, []); carTrips.get(v).push(t); });
  var options = ["<option value=''>— pick a car —</option>"];
  Array.from(carTrips.keys()).sort(function (a, b) { return a - b; }).slice(0, 2000).forEach(function (v) {
    options.push("<option value='" + v + "'>" + data.plates[v] + " (" + carTrips.get(v).length + " trips)</option>");
  });
  carSelect.innerHTML = options.join("");
  carSelect.addEventListener("change", function () { overlay.textContent = ""; step = -1; showCar(); });

  var step = -1;  // -1: the car's whole day; k: its k-th trip alone

  function showCar() {
    var v = carSelect.value, box = document.getElementById("car-day");
    if (v === "") { box.textContent = ""; return; }
    v = +v;
    overlay.textContent = "";
    var mine = carTrips.get(v), reads = current._reads, lines = [], rebuilt = new Set();
    if (step >= mine.length) step = mine.length - 1;
    var shown = step < 0 ? mine : [mine[step]], showing = new Set(shown);
    shown.forEach(function (t) {
      drawPath(data.trips.route.slice(data.trips.route_ptr[t], data.trips.route_ptr[t + 1]), "true");
    });
    for (var i = 0; i < reads.trip.length; i++) {
      if (!showing.has(reads.trip[i])) continue;
      rebuilt.add(current._rebuilt.recon[i]);
      var e = reads.edge[i];
      el("circle", {cx: (X(edges.u[e]) + X(edges.v[e])) / 2, cy: (Y(edges.u[e]) + Y(edges.v[e])) / 2,
                    r: span / 110, "class": "sighting", "vector-effect": "non-scaling-stroke"}, overlay);
      lines.push([reads.time[i], clock(reads.time[i]) + " at camera " + reads.camera[i]]);
    }
    rebuilt.forEach(function (r) { drawPath(current._rebuilt.routes[r], "rebuilt"); });
    lines.sort(function (a, b) { return a[0] - b[0]; });
    var recall = shown.map(function (t) { return (100 * current._table.recall[t]).toFixed(0) + " %"; });
    var head = step < 0
      ? mine.length + " true trips (blue); " + lines.length + " sightings; " + rebuilt.size +
        " trips rebuilt from them (green). Route rebuilt per trip: " + recall.join(", ") + "."
      : "Trip " + (step + 1) + " of " + mine.length + ": leaves " + clock(data.trips.depart[shown[0]]) + ", " +
        (current._table.length[shown[0]] / 1000).toFixed(1) + " km (blue); " + lines.length + " sightings; " +
        recall[0] + " of its route rebuilt (green).";
    box.innerHTML = head + "<br>" + lines.map(function (l) { return l[1]; }).join("<br>");
  }
  document.getElementById("trip-prev").addEventListener("click", function () {
    if (carSelect.value === "") return;
    step = step <= 0 ? 0 : step - 1; showCar();
  });
  document.getElementById("trip-next").addEventListener("click", function () {
    if (carSelect.value === "") return;
    step = Math.min(step + 1, carTrips.get(+carSelect.value).length - 1); showCar();
  });
  document.getElementById("trip-all").addEventListener("click", function () { step = -1; showCar(); });

  function wayRound(from, to) {
    overlay.textContent = "";
    var w = E.wayRound(data, layout, from, to);
    drawPath(w.fastest, "true");
    if (isFinite(w.freeS)) {
      drawPath(w.free, "free");
      status("Fastest: " + (w.fastestS / 60).toFixed(1) + " min (blue). Without passing a camera: " +
             (w.freeS / 60).toFixed(1) + " min (orange), " + (100 * (w.freeS / w.fastestS - 1)).toFixed(0) +
             " % longer.");
    } else {
      status("Fastest: " + (w.fastestS / 60).toFixed(1) + " min. No camera-free route — the place is fenced in.");
    }
  }

  function mode() { return document.querySelector("input[name=mode]:checked").value; }
  var nodeDots = null;
  function showNodes(show) {
    if (show && !nodeDots) {
      nodeDots = el("g", {}, points);
      for (var n = 0; n < nodes.x.length; n++) {
        var c = el("circle", {cx: X(n), cy: Y(n), r: span / 180, "class": "node", "data-node": n}, nodeDots);
        el("title", {}, c).textContent = "intersection " + nodes.id[n] +
          (nodes.lat ? " (" + nodes.lat[n].toFixed(5) + ", " + nodes.lon[n].toFixed(5) + ")" : "");
      }
    }
    if (nodeDots) nodeDots.style.display = show ? "" : "none";
  }
  document.querySelectorAll("input[name=mode]").forEach(function (r) {
    r.addEventListener("change", function () { picked = []; showNodes(mode() === "way");
      status(mode() === "way" ? "Click the intersection to start from." : ""); });
  });

  svg.addEventListener("click", function (ev) {
    var target = ev.target;
    if (mode() === "cameras" && target.dataset && target.dataset.edge !== undefined) {
      update(cycle(+target.dataset.edge));
    } else if (mode() === "way" && target.dataset && target.dataset.node !== undefined) {
      picked.push(+target.dataset.node);
      target.classList.add("picked");
      if (picked.length === 2) {
        wayRound(picked[0], picked[1]);
        nodeDots.querySelectorAll(".picked").forEach(function (c) { c.classList.remove("picked"); });
        picked = [];
      } else status("Now click the intersection to go to.");
    }
  });

  function edgeFromInputs() {
    var ids = nodes.id, a = ids.indexOf(document.getElementById("from").value.trim()),
        b = ids.indexOf(document.getElementById("to").value.trim());
    if (a < 0 || b < 0) { status("Give two intersection numbers (hover the map to see them)."); return null; }
    for (var e = 0; e < edges.u.length; e++) if (edges.u[e] === a && edges.v[e] === b) return {edge: e, a: a, b: b};
    for (e = 0; e < edges.u.length; e++) if (edges.u[e] === b && edges.v[e] === a) return {edge: e, a: a, b: b};
    return {edge: -1, a: a, b: b};
  }
  document.getElementById("toggle").addEventListener("click", function () {
    var found = edgeFromInputs();
    if (!found) return;
    if (found.edge < 0) { status("No road joins those two intersections."); return; }
    update(cycle(found.edge));
  });
  document.getElementById("route").addEventListener("click", function () {
    var found = edgeFromInputs();
    if (found) wayRound(found.a, found.b);
  });
  document.getElementById("reset").addEventListener("click", function () {
    layout = start.map(function (c) { return Object.assign({}, c); });
    overlay.textContent = "";
    update("Back to the scenario's cameras.");
  });
  document.getElementById("export").addEventListener("click", function () {
    var blob = new Blob([E.camerasCsv(data, layout)], {type: "text/csv"}), a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "cameras.csv";
    document.body.appendChild(a); a.click(); a.remove();
    status("Saved cameras.csv. In the scenario file: [cameras] strategy = \"file\", path = \"cameras.csv\".");
  });
  document.getElementById("about").textContent = "Scenario " + data.name + " (seed " + data.seed + "): " +
    data.trips.trip_id.length.toLocaleString("en") + " trips" +
    (data.trips.trip_id.length < data.n_trips_run ? " — a sample of whole cars from the run's " +
     data.n_trips_run.toLocaleString("en") : "") + ". Intervals are in Curtain's report, not here.";
  update("");
  // a link can open the page on a car (#car=PLATE, or one of its trips: #car=PLATE&trip=2) or a way round
  // (#way=FROM,TO, intersection numbers)
  var hash = decodeURIComponent(location.hash || "");
  var car = /car=([^&]+)/.exec(hash), way = /way=([^,&]+),([^&]+)/.exec(hash);
  var trip = /trip=(\d+)/.exec(hash);
  if (car && data.plates.indexOf(car[1]) >= 0) {
    carSelect.value = String(data.plates.indexOf(car[1]));
    step = trip ? +trip[1] - 1 : -1;
    showCar();
  }
  if (way && nodes.id.indexOf(way[1]) >= 0 && nodes.id.indexOf(way[2]) >= 0) {
    wayRound(nodes.id.indexOf(way[1]), nodes.id.indexOf(way[2]));
  }
  window.curtainReady = true;
})();
