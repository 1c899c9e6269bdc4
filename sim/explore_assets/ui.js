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
  var shown = null;  // what the map draws over the roads: {car: true} or {from: node, to: node} (a way round)
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

  // a click in "put up and turn cameras": none -> reads this way -> the other way -> both ways -> this way ...
  function cycle(edge) {
    var i = cameraOn(edge), r = edges.reverse[edge];
    if (i < 0) {
      added += 1;
      layout.push({camera_id: "class-" + added, edge: edge, direction: "forward"});
      return "Camera put up, reading one way (its arrow).";
    }
    var c = layout[i];
    if (r < 0) return "This road is one-way: its camera already reads all its traffic. To take it down, " +
                      "right-click the road or choose \"take cameras down\".";
    if (c.direction === "forward") { c.direction = "backward"; return "The camera now reads the other way."; }
    if (c.direction === "backward") { c.direction = "both"; return "The camera now reads both ways."; }
    c.direction = "forward";
    return "The camera reads one way again.";
  }

  // "1 read", "2 reads": a count and its word
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // one click takes a road's camera down
  function takeDown(edge) {
    var i = cameraOn(edge);
    if (i < 0) return "There is no camera on that road.";
    layout.splice(i, 1);
    return "The camera on that road taken down (" + plural(layout.length, "camera") + " left).";
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
    ["share_trips_read_ge2", "trips sighted at least twice", pct],
    ["share_long_trips_read", "long trips (over " + data.long_trip_km + " km) read", function (v, m) {
      return pct(v) + (m && m.share_long_trips_read_n ? " of " + m.share_long_trips_read_n : ""); }],
    ["route_recall_mean", "of the average trip's route rebuilt from the reads", pct],
    ["camera_free_pair_share", "place pairs with a camera-free route", pct],
    ["detour_ratio_median", "how much longer that route takes (median, ×)", num],
    ["n_cameras", "cameras", String], ["n_reads", "reads", function (v) { return v.toLocaleString("en"); }]
  ];
  var current = baseline;

  // every change of the layout: the numbers, the cameras and whatever the map shows, all worked out again
  function update(message) {
    var t0 = performance.now();
    current = E.metrics(data, layout, cache);
    var ms = performance.now() - t0;
    document.getElementById("numbers").innerHTML = rows.map(function (r) {
      return "<tr data-key=" + r[0] + "><td>" + r[1] + "</td><td class=num>" + r[2](current[r[0]], current) +
             "</td><td class=num>" + r[2](baseline[r[0]], baseline) + "</td></tr>";
    }).join("");
    document.getElementById("timing").textContent = "Worked out in " + ms.toFixed(0) + " ms over " +
      current.n_trips.toLocaleString("en") + " trips.";
    drawCameras();
    var also = redraw();
    status((message || "") + (also ? (message ? " " : "") + also : ""));
  }

  function status(text) { document.getElementById("status").textContent = text; }

  // what the map shows over the roads, drawn afresh for the layout as it is now; returns what to say about it
  function redraw() {
    overlay.textContent = "";
    if (shown && shown.car) return showCar();
    if (shown && shown.from !== undefined) return drawWay(shown.from, shown.to);
    return "";
  }

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
  var carSelect = document.getElementById("car"), plateBox = document.getElementById("plate");
  var carTrips = new Map();
  data.trips.vehicle.forEach(function (v, t) { if (!carTrips.has(v)) carTrips.set(v, []); carTrips.get(v).push(t); });
  var cars = Array.from(carTrips.keys()).sort(function (a, b) { return a - b; });
  function carOptions(list) {
    carSelect.innerHTML = ["<option value=''>— pick a car (" + list.length.toLocaleString("en") + ") —</option>"]
      .concat(list.map(function (v) {
        return "<option value='" + v + "'>" + data.plates[v] + " (" + carTrips.get(v).length + " trips)</option>";
      })).join("");
  }
  carOptions(cars);
  function pickCar(v) {
    carSelect.value = String(v);
    step = -1; shown = {car: true};
    status(redraw());
  }
  carSelect.addEventListener("change", function () {
    if (carSelect.value === "") { shown = null; status(redraw()); return; }
    pickCar(+carSelect.value);
  });
  // find a plate: the list keeps the cars whose plate holds what is typed; one match (or the exact plate) is shown
  plateBox.addEventListener("input", function () {
    var text = plateBox.value.trim().toUpperCase().replace(/\s+/g, "");
    var found = text ? cars.filter(function (v) { return data.plates[v].indexOf(text) >= 0; }) : cars;
    carOptions(found);
    var exact = found.filter(function (v) { return data.plates[v] === text; });
    document.getElementById("plate-found").textContent = text ? found.length.toLocaleString("en") +
      (found.length === 1 ? " car" : " cars") : "";
    if (exact.length === 1 || (text && found.length === 1)) pickCar(exact.length === 1 ? exact[0] : found[0]);
  });
  plateBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && carSelect.options.length > 1) pickCar(+carSelect.options[1].value);
  });

  var step = -1;  // -1: the car's whole day; k: its k-th trip alone

  function showCar() {
    var v = carSelect.value, box = document.getElementById("car-day");
    if (v === "") { box.textContent = ""; return ""; }
    v = +v;
    var mine = carTrips.get(v), reads = current._reads, lines = [], rebuilt = new Set();
    if (step >= mine.length) step = mine.length - 1;
    var shownTrips = step < 0 ? mine : [mine[step]], showing = new Set(shownTrips);
    shownTrips.forEach(function (t) {
      drawPath(data.trips.route.slice(data.trips.route_ptr[t], data.trips.route_ptr[t + 1]), "true");
    });
    for (var i = 0; i < reads.trip.length; i++) {
      if (!showing.has(reads.trip[i])) continue;
      rebuilt.add(current._rebuilt.recon[i]);
      var e = reads.edge[i];
      el("circle", {cx: (X(edges.u[e]) + X(edges.v[e])) / 2, cy: (Y(edges.u[e]) + Y(edges.v[e])) / 2,
                    r: span / 110, "class": "sighting", "vector-effect": "non-scaling-stroke"}, overlay);
      lines.push([reads.time[i], clock(reads.time[i]) + " at camera " + reads.camera[i] +
                  (reads.plate[i] !== data.plates[v] ? " (misread as " + reads.plate[i] + ")" : "")]);
    }
    rebuilt.forEach(function (r) { drawPath(current._rebuilt.routes[r], "rebuilt"); });
    lines.sort(function (a, b) { return a[0] - b[0]; });
    var recall = shownTrips.map(function (t) { return (100 * current._table.recall[t]).toFixed(0) + " %"; });
    var head = step < 0
      ? plural(mine.length, "true trip") + " (blue); " + plural(lines.length, "read") + "; " +
        plural(rebuilt.size, "trip") + " rebuilt from them (green). Route rebuilt per trip: " + recall.join(", ") +
        "."
      : "Trip " + (step + 1) + " of " + mine.length + ": leaves " + clock(data.trips.depart[shownTrips[0]]) + ", " +
        (current._table.length[shownTrips[0]] / 1000).toFixed(1) + " km (blue); " + plural(lines.length, "read") + "; " +
        recall[0] + " of its route rebuilt (green).";
    box.innerHTML = head + "<br>" + lines.map(function (l) { return l[1]; }).join("<br>");
    return "";
  }
  function carStep(next) {
    if (carSelect.value === "") { status("Pick a car first."); return; }
    step = next; shown = {car: true}; status(redraw());
  }
  document.getElementById("trip-prev").addEventListener("click", function () {
    carStep(step <= 0 ? 0 : step - 1);
  });
  document.getElementById("trip-next").addEventListener("click", function () {
    if (carSelect.value !== "") carStep(Math.min(step + 1, carTrips.get(+carSelect.value).length - 1));
    else carStep(-1);
  });
  document.getElementById("trip-all").addEventListener("click", function () { carStep(-1); });

  function minutes(s) { return (s / 60).toFixed(1) + " min"; }

  // the fastest way and the fastest camera-free way between two intersections, for the layout as it is now
  function drawWay(from, to) {
    var a = nodes.id[from], b = nodes.id[to];
    if (from === to) return "The start and the end are the same intersection (" + a + "): pick two different ones.";
    var w = E.wayRound(data, layout, from, to);
    if (!isFinite(w.fastestS)) return "No road leads from " + a + " to " + b + ".";
    drawPath(w.fastest, "true");
    var head = "From " + a + " to " + b + ": fastest " + minutes(w.fastestS) + " (blue). ";
    if (!isFinite(w.freeS)) return head + "No camera-free route — the place is fenced in.";
    drawPath(w.free, "free");
    var longer = w.freeS / w.fastestS - 1;
    return head + "Without passing a camera: " + minutes(w.freeS) + " (orange), " +
      (longer < 0.005 ? "no longer: the fastest route passes no camera." : (100 * longer).toFixed(0) + " % longer.");
  }
  function wayRound(from, to) {
    shown = {from: from, to: to};
    status(redraw());
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
  var hints = {cameras: "Click a road to put up a camera, click again to turn it.",
               remove: "Click a camera's road to take the camera down.",
               way: "Click the intersection to start from."};
  document.querySelectorAll("input[name=mode]").forEach(function (r) {
    r.addEventListener("change", function () {
      picked = []; showNodes(mode() === "way");
      document.body.classList.toggle("removing", mode() === "remove");
      status(hints[mode()]);
    });
  });

  svg.addEventListener("click", function (ev) {
    var target = ev.target;
    if (mode() !== "way" && target.dataset && target.dataset.edge !== undefined) {
      var edge = +target.dataset.edge;
      update(mode() === "remove" ? takeDown(edge) : cycle(edge));
    } else if (mode() === "way" && target.dataset && target.dataset.node !== undefined) {
      picked.push(+target.dataset.node);
      target.classList.add("picked");
      if (picked.length === 2) {
        nodeDots.querySelectorAll(".picked").forEach(function (c) { c.classList.remove("picked"); });
        wayRound(picked[0], picked[1]);
        picked = [];
      } else status("Now click the intersection to go to.");
    }
  });
  // right-click on a road: its camera comes down, whatever a click does
  svg.addEventListener("contextmenu", function (ev) {
    var target = ev.target;
    if (!(target.dataset && target.dataset.edge !== undefined)) return;
    ev.preventDefault();
    update(takeDown(+target.dataset.edge));
  });

  function edgeFromInputs() {
    var ids = nodes.id, a = ids.indexOf(document.getElementById("from").value.trim()),
        b = ids.indexOf(document.getElementById("to").value.trim());
    if (a < 0 || b < 0) { status("Give two intersection numbers (rest the pointer on the map to see them)."); return null; }
    for (var e = 0; e < edges.u.length; e++) if (edges.u[e] === a && edges.v[e] === b) return {edge: e, a: a, b: b};
    for (e = 0; e < edges.u.length; e++) if (edges.u[e] === b && edges.v[e] === a) return {edge: e, a: a, b: b};
    return {edge: -1, a: a, b: b};
  }
  function onRoad(act) {
    var found = edgeFromInputs();
    if (!found) return;
    if (found.edge < 0) { status("No road joins intersections " + nodes.id[found.a] + " and " + nodes.id[found.b] + "."); return; }
    update(act(found.edge));
  }
  document.getElementById("toggle").addEventListener("click", function () { onRoad(cycle); });
  document.getElementById("remove").addEventListener("click", function () { onRoad(takeDown); });
  document.getElementById("route").addEventListener("click", function () {
    var found = edgeFromInputs();
    if (found) wayRound(found.a, found.b);
  });
  document.getElementById("reset").addEventListener("click", function () {
    layout = start.map(function (c) { return Object.assign({}, c); });
    update("Back to the town's " + start.length + " cameras, as at the start.");
  });
  document.getElementById("clear").addEventListener("click", function () {
    layout = [];
    update("Every camera taken down.");
  });
  document.getElementById("export").addEventListener("click", function () {
    var blob = new Blob([E.camerasCsv(data, layout)], {type: "text/csv"}), a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "cameras.csv";
    document.body.appendChild(a); a.click(); a.remove();
    status("Saved cameras.csv. In the scenario file: [cameras] strategy = \"file\", path = \"cameras.csv\".");
  });
  document.getElementById("reset").textContent = "reset to the town's " + start.length + " cameras";

  // the reading model, said once: the town's cameras read what `curtain run` read; the class's read alike
  var cls = data.class_camera, rate = typeof cls.read_rate === "number"
    ? (100 * cls.read_rate).toFixed(0) + " %" : "its road's read rate";
  var noise = (cls.misread_rate > 0 ? ", misreads " + (100 * cls.misread_rate).toFixed(1) + " % of plates" : "") +
    (data.duplicate_rate > 0 ? ", logs " + (100 * data.duplicate_rate).toFixed(1) + " % of passes twice" : "");
  var sampled = data.trips.trip_id.length < data.n_trips_run;
  document.getElementById("model").textContent = "How the cameras read: the town's cameras read exactly what " +
    "\"curtain run\" read for this scenario, so the page opens on the run's numbers" +
    (sampled ? " for the cars it holds: a sample of whole cars (" + data.trips.trip_id.length.toLocaleString("en") +
     " of the run's " + data.n_trips_run.toLocaleString("en") + " trips), so its shares are the sample's, close " +
     "to the run's but not equal" : "") + ". A camera the class puts up " +
    "reads " + rate + " of the cars passing it (the scenario's read rate)" + noise + ". Whether each car is read " +
    "on each road was drawn once from the scenario's seed (" + data.seed + "): the same cameras always give the " +
    "same numbers, and a camera put back where the town had one reads what the town's camera read.";
  document.getElementById("about").textContent = "Scenario " + data.name + " (seed " + data.seed + "): " +
    data.trips.trip_id.length.toLocaleString("en") + " trips by " + cars.length.toLocaleString("en") + " cars" +
    (sampled ? " — a sample of whole cars from the run's " +
     data.n_trips_run.toLocaleString("en") + " trips" : "") + ". Intervals are in Curtain's report, not here.";
  update("");
  // a link can open the page on a car (#car=PLATE, or one of its trips: #car=PLATE&trip=2) or a way round
  // (#way=FROM,TO, intersection numbers)
  var hash = decodeURIComponent(location.hash || "");
  var car = /car=([^&]+)/.exec(hash), way = /way=([^,&]+),([^&]+)/.exec(hash);
  var trip = /trip=(\d+)/.exec(hash);
  var plateAt = car ? data.plates.indexOf(car[1]) : -1;
  if (plateAt >= 0 && carTrips.has(plateAt)) {
    pickCar(plateAt);
    if (trip) carStep(+trip[1] - 1);
  }
  if (way && nodes.id.indexOf(way[1]) >= 0 && nodes.id.indexOf(way[2]) >= 0) {
    wayRound(nodes.id.indexOf(way[1]), nodes.id.indexOf(way[2]));
  }
  window.curtainReady = true;
})();
