// Curtain explorer engine: Curtain's numbers recomputed in the browser (pure functions, no DOM).
// Ports of sim.routing.dijkstra.shortest_tree, sim.reconstruct.reconstruct (fastest paths, misread matching),
// sim.metrics.trips.trip_metrics and sim.metrics.evasion.camera_free_pairs, step for step, so that the
// numbers equal Curtain's Python on the same reads (tests/test_explore.py runs this file under Node.js).
var CurtainEngine = (function () {
  "use strict";

  // Fastest times from `source` (binary heap, lazy deletion): the same pops and pushes, in the same
  // order, as the compiled Dijkstra Curtain routes with, hence the same predecessor on every tie.
  function tree(csr, weights, source) {
    var indptr = csr.indptr, heads = csr.heads, n = indptr.length - 1;
    var dist = new Float64Array(n).fill(Infinity), pred = new Int32Array(n).fill(-1);
    var heapKey = new Float64Array(heads.length + 1), heapVal = new Int32Array(heads.length + 1);
    dist[source] = 0.0; heapKey[0] = 0.0; heapVal[0] = source;
    var size = 1;
    while (size > 0) {
      var d = heapKey[0], u = heapVal[0];
      size -= 1;
      if (size > 0) {
        var key = heapKey[size], val = heapVal[size], i = 0;
        while (true) {
          var child = 2 * i + 1;
          if (child >= size) break;
          if (child + 1 < size && heapKey[child + 1] < heapKey[child]) child += 1;
          if (heapKey[child] < key) { heapKey[i] = heapKey[child]; heapVal[i] = heapVal[child]; i = child; }
          else break;
        }
        heapKey[i] = key; heapVal[i] = val;
      }
      if (d > dist[u]) continue;
      for (var j = indptr[u]; j < indptr[u + 1]; j++) {
        var v = heads[j], nd = d + weights[j];
        if (nd < dist[v]) {
          dist[v] = nd; pred[v] = j;
          var k = size; size += 1;
          while (k > 0) {
            var parent = (k - 1) >> 1;
            if (heapKey[parent] > nd) { heapKey[k] = heapKey[parent]; heapVal[k] = heapVal[parent]; k = parent; }
            else break;
          }
          heapKey[k] = nd; heapVal[k] = v;
        }
      }
    }
    return {dist: dist, pred: pred};
  }

  function tails(csr) {
    if (!csr._tails) {
      var t = new Int32Array(csr.heads.length);
      for (var u = 0; u + 1 < csr.indptr.length; u++) for (var j = csr.indptr[u]; j < csr.indptr[u + 1]; j++) t[j] = u;
      csr._tails = t;
    }
    return csr._tails;
  }

  // The edges from the tree's source to `target` (empty when unreachable or the source itself).
  function pathEdges(csr, entryEdge, t, target) {
    var out = [], tl = tails(csr), v = target;
    if (!isFinite(t.dist[target])) return out;
    while (t.pred[v] >= 0) { var j = t.pred[v]; out.push(entryEdge[j]); v = tl[j]; }
    return out.reverse();
  }

  // Edge weights and the edge each CSR entry stands for with some edges closed (a driver avoiding cameras).
  function closedNetwork(data, closed) {
    var csr = data.csr, e = data.edges, w = Float64Array.from(csr.weights), edge = Int32Array.from(csr.edge);
    for (var j = 0; j < csr.heads.length; j++) {
      var lo = csr.parallel_ptr[j], hi = csr.parallel_ptr[j + 1], best = -1, cost = Infinity;
      for (var p = lo; p < hi; p++) {
        var k = csr.parallel[p];
        if (closed.has(k)) continue;
        var c = Math.max(e.time[k], 1e-6);
        if (c < cost) { cost = c; best = k; }
      }
      if (best < 0) { w[j] = Infinity; edge[j] = csr.edge[j]; }
      else if (hi - lo === 1) { w[j] = csr.weights[j]; edge[j] = best; }
      else { w[j] = cost; edge[j] = best; }
    }
    return {weights: w, edge: edge};
  }

  // The edges a camera watches (forward: its own edge; backward: the reverse; both: the two).
  function edgesOf(data, c) {
    var own = c.edge, rev = data.edges.reverse[c.edge];
    var list = c.direction === "forward" ? [own] : c.direction === "backward" ? [rev] : [own, rev];
    return list.filter(function (e) { return e >= 0; });
  }

  // edge -> camera ids watching it, in layout order.
  function watched(data, layout) {
    var map = new Map();
    layout.forEach(function (c) {
      edgesOf(data, c).forEach(function (e) {
        if (!map.has(e)) map.set(e, []);
        map.get(e).push(c.camera_id);
      });
    });
    return map;
  }

  // What the page reads from, worked out once: the passes of each edge, and the run's reads of each of its
  // cameras at each edge it watched.
  function prepared(data) {
    if (data._prep) return data._prep;
    var p = data.passes, nEdges = data.edges.u.length, start = new Int32Array(nEdges + 1);
    for (var i = 0; i < p.edge.length; i++) start[p.edge[i] + 1] += 1;
    for (var e = 0; e < nEdges; e++) start[e + 1] += start[e];
    var fill = Int32Array.from(start.subarray(0, nEdges)), byEdge = new Int32Array(p.edge.length);
    for (i = 0; i < p.edge.length; i++) byEdge[fill[p.edge[i]]++] = i;  // time order within each edge
    var run = data.run_reads, groups = new Map(), owner = new Map(), index = new Map(), late = new Map();
    data.layout.forEach(function (c, k) {
      index.set(c.camera_id, k);
      edgesOf(data, c).forEach(function (e) {
        groups.set(k * nEdges + e, []);
        if (!owner.has(e)) owner.set(e, k);
      });
    });
    run.late.read.forEach(function (r, j) { late.set(r, run.late.time[j]); });
    for (var r = 0; r < run.pass.length; r++) groups.get(run.camera[r] * nEdges + p.edge[run.pass[r]]).push(r);
    data._prep = {start: start, byEdge: byEdge, groups: groups, owner: owner, index: index, late: late};
    return data._prep;
  }

  // A number in [0, 1) fixed by the scenario's seed, a pass and what it decides (k): the same on every computer.
  function fmix(h) {
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
  }
  function draw(seed, pass, k) { return fmix((fmix(seed ^ 0x9e3779b9) + Math.imul(pass, 8) + k) >>> 0) / 4294967296; }

  var ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";  // sim.reads.PLATE_ALPHABET
  function misread(plate, u, w) {  // one character replaced by another (sim.reads.misread_plate)
    var pos = Math.floor(u * plate.length), choices = ALPHABET.replace(plate[pos], "");
    return plate.slice(0, pos) + choices[Math.floor(w * choices.length)] + plate.slice(pos + 1);
  }

  // How a camera reads: its own rates when it is one of the run's, else those of a camera the class puts up.
  function ratesOf(data, c, run) {
    if (run >= 0) return {read: data.layout[run].read_rate, misread: data.layout[run].misread_rate};
    var cls = data.class_camera;
    return {read: typeof cls.read_rate === "number" ? cls.read_rate : cls.read_rate[c.edge], misread: cls.misread_rate};
  }

  // The reads a layout makes. A camera of the run, at an edge it watched in the run, reads what it read in
  // the run; any camera at an edge one of the run's cameras watched reads what that camera read; elsewhere each
  // pass is read, misread and logged twice by the pass's own draws at the camera's rates.
  function readsOf(data, layout) {
    var prep = prepared(data), p = data.passes, nEdges = data.edges.u.length, run = data.run_reads;
    var reads = {trip: [], edge: [], time: [], camera: [], plate: [], pass: []};
    function push(pass, time, camera, plate) {
      reads.trip.push(p.trip[pass]); reads.edge.push(p.edge[pass]); reads.time.push(time);
      reads.camera.push(camera); reads.plate.push(plate); reads.pass.push(pass);
    }
    layout.forEach(function (c) {
      var k = prep.index.has(c.camera_id) ? prep.index.get(c.camera_id) : -1;
      if (k >= 0 && data.layout[k].edge !== c.edge) k = -1;  // (a camera of the same name elsewhere is another)
      var rates = ratesOf(data, c, k);
      edgesOf(data, c).forEach(function (e) {
        var source = k >= 0 && prep.groups.has(k * nEdges + e) ? k : prep.owner.has(e) ? prep.owner.get(e) : -1;
        if (source >= 0) {
          prep.groups.get(source * nEdges + e).forEach(function (r) {
            var pass = run.pass[r];
            push(pass, prep.late.has(r) ? prep.late.get(r) : p.time[pass], c.camera_id, data.plates[run.plate[r]]);
          });
          return;
        }
        for (var j = prep.start[e]; j < prep.start[e + 1]; j++) {
          var pass = prep.byEdge[j];
          if (draw(data.draw_seed, pass, 0) >= rates.read) continue;
          var plate = data.plates[data.trips.vehicle[p.trip[pass]]];
          if (draw(data.draw_seed, pass, 1) < rates.misread) {
            plate = misread(plate, draw(data.draw_seed, pass, 2), draw(data.draw_seed, pass, 3));
          }
          push(pass, p.time[pass], c.camera_id, plate);
          if (draw(data.draw_seed, pass, 4) < data.duplicate_rate) {
            push(pass, p.time[pass] + 1 + 2 * draw(data.draw_seed, pass, 5), c.camera_id, plate);
          }
        }
      });
    });
    return reads;
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // The plates as read, as codes into their sorted texts.
  function plateCodes(reads) {
    var texts = Array.from(new Set(reads.plate)).sort(cmp), code = new Map();
    texts.forEach(function (t, i) { code.set(t, i); });
    return {texts: texts, code: Int32Array.from(reads.plate, function (t) { return code.get(t); })};
  }

  // Each read's sighting: reads of one plate (as read) at one camera each within the window of the one before.
  function sightings(data, reads, plate) {
    var n = reads.trip.length;
    var order = Array.from({length: n}, function (_, i) { return i; });
    order.sort(function (a, b) {
      return (plate[a] - plate[b]) || cmp(reads.camera[a], reads.camera[b]) || (reads.time[a] - reads.time[b]) ||
             (a - b);
    });
    var out = new Int32Array(n), id = -1;
    for (var k = 0; k < n; k++) {
      var i = order[k], prev = k ? order[k - 1] : -1;
      if (k === 0 || plate[i] !== plate[prev] || reads.camera[i] !== reads.camera[prev] ||
          reads.time[i] - reads.time[prev] > data.sighting_window_s) id += 1;
      out[i] = id;
    }
    return out;
  }

  function treeOf(data, trees, from) {
    if (!trees.has(from)) trees.set(from, tree(data.csr, data.csr.weights, from));
    return trees.get(from);
  }

  // For each plate seen in one sighting only, the plates of two or more sightings one character away: most
  // sighted first, then in plate order (sim.reconstruct._one_apart).
  function oneApart(texts, counts, rare) {
    var blanked = new Map(), found = new Map();
    rare.forEach(function (q) {
      for (var i = 0; i < texts[q].length; i++) {
        var key = texts[q].slice(0, i) + "\0" + texts[q].slice(i + 1);
        if (!blanked.has(key)) blanked.set(key, []);
        blanked.get(key).push(q);
      }
    });
    for (var q = 0; q < texts.length; q++) {
      if (counts[q] < 2) continue;
      for (var i = 0; i < texts[q].length; i++) {
        var hits = blanked.get(texts[q].slice(0, i) + "\0" + texts[q].slice(i + 1));
        if (!hits) continue;
        hits.forEach(function (p) { if (!found.has(p)) found.set(p, new Set()); found.get(p).add(q); });
      }
    }
    var out = new Map();
    found.forEach(function (qs, p) {
      out.set(p, Array.from(qs).sort(function (a, b) { return (counts[b] - counts[a]) || (a - b); }));
    });
    return out;
  }

  // The plate a searcher files each read under: its own, or, for a plate seen in one sighting only, the first
  // plate one character away with a read within the window that one car could have driven to or from in time
  // (sim.reconstruct.match_misreads).
  function plateKeys(data, reads, plate, texts, sighting, trees) {
    var result = Int32Array.from(plate);
    if (!data.misread_tolerance) return result;
    var counts = new Int32Array(texts.length), seen = new Set(), e = data.edges;
    for (var i = 0; i < plate.length; i++) {
      if (!seen.has(sighting[i])) { seen.add(sighting[i]); counts[plate[i]] += 1; }
    }
    var rare = [], rarePlates = new Set();
    for (i = 0; i < plate.length; i++) if (counts[plate[i]] === 1) { rare.push(i); rarePlates.add(plate[i]); }
    var candidates = rare.length ? oneApart(texts, counts, rarePlates) : new Map();
    if (!candidates.size) return result;
    var byPlate = new Map();
    for (i = 0; i < plate.length; i++) {
      if (counts[plate[i]] < 2) continue;
      if (!byPlate.has(plate[i])) byPlate.set(plate[i], []);
      byPlate.get(plate[i]).push(i);
    }
    rare.forEach(function (row) {
      var qs = candidates.get(plate[row]) || [], t = reads.time[row];
      for (var c = 0; c < qs.length; c++) {
        var fits = false;
        (byPlate.get(qs[c]) || []).forEach(function (other) {
          var gap = Math.abs(reads.time[other] - t);
          if (fits || gap > data.misread_window_s) return;
          var before = reads.time[other] <= t;
          var from = e.v[before ? reads.edge[other] : reads.edge[row]], to = e.u[before ? reads.edge[row] : reads.edge[other]];
          if (treeOf(data, trees, from).dist[to] <= gap + data.slack_s) fits = true;
        });
        if (fits) { result[row] = qs[c]; return; }
      }
    });
    return result;
  }

  // Trips rebuilt from the reads, as a searcher would: by plate in time order, split where the gap is
  // longer than driving between the sightings allows (plus slack), joined by fastest paths.
  function reconstruct(data, reads, trees, key) {
    var n = reads.trip.length, e = data.edges, csr = data.csr;
    var plate = key || reads.trip.map(function (t) { return data.trips.vehicle[t]; });
    var order = Array.from({length: n}, function (_, i) { return i; });
    order.sort(function (a, b) { return (plate[a] - plate[b]) || (reads.time[a] - reads.time[b]) || (a - b); });
    var recon = new Int32Array(n), routes = [], plates = [], current = [], r = 0;
    for (var k = 0; k < n; k++) {
      var i = order[k], ei = reads.edge[i];
      current.push(ei);
      var bridged = false, continues = false;
      if (k + 1 < n) {
        var j = order[k + 1], ej = reads.edge[j];
        if (plate[i] === plate[j]) {
          var from = e.v[ei], to = e.u[ej], t = treeOf(data, trees, from);
          var expected = e.time[ei] / 2 + t.dist[to] + e.time[ej] / 2, observed = reads.time[j] - reads.time[i];
          var samePass = ej === ei && observed <= e.time[ej];
          continues = (observed <= expected + data.slack_s && isFinite(expected)) || samePass;
          bridged = continues && !samePass;
          if (bridged) current.push.apply(current, pathEdges(csr, csr.edge, t, to));
        }
      }
      recon[i] = r;
      if (!continues) { routes.push(current); plates.push(plate[i]); current = []; r += 1; }
    }
    return {recon: recon, routes: routes, plate: plates};
  }

  // Per true trip: sightings, and the route recall of the rebuilt trips credited to it (only those a searcher
  // links to the car: filed under its own plate).
  function tripTable(data, reads, rebuilt, sighting, texts) {
    var trips = data.trips, nTrips = trips.trip_id.length, e = data.edges;
    var nSightings = new Int32Array(nTrips), seen = new Set();
    for (var i = 0; i < reads.trip.length; i++) {
      var key = reads.trip[i] * 1e7 + sighting[i];
      if (!seen.has(key)) { seen.add(key); nSightings[reads.trip[i]] += 1; }
    }
    // each rebuilt trip is credited to the true trip holding most of its reads (ties: the lowest row)
    var counts = rebuilt.routes.map(function () { return new Map(); });
    for (var k = 0; k < reads.trip.length; k++) {
      var m = counts[rebuilt.recon[k]];
      m.set(reads.trip[k], (m.get(reads.trip[k]) || 0) + 1);
    }
    var credited = Array.from({length: nTrips}, function () { return null; });
    counts.forEach(function (m, r) {
      var best = -1, most = -1;
      m.forEach(function (c, t) { if (c > most || (c === most && t < best)) { most = c; best = t; } });
      if (best < 0 || (texts && texts[rebuilt.plate[r]] !== data.plates[trips.vehicle[best]])) return;
      if (!credited[best]) credited[best] = new Set();
      rebuilt.routes[r].forEach(function (edge) { credited[best].add(edge); });
    });
    var recall = new Float64Array(nTrips), length = new Float64Array(nTrips);
    for (var t = 0; t < nTrips; t++) {
      var done = new Set(), total = 0.0, common = 0.0, mine = credited[t];
      for (var p = trips.route_ptr[t]; p < trips.route_ptr[t + 1]; p++) {
        var edge = trips.route[p];
        if (done.has(edge)) continue;
        done.add(edge);
        total += e.length[edge];
        if (mine && mine.has(edge)) common += e.length[edge];
      }
      length[t] = total;
      recall[t] = total > 0 ? common / total : 0.0;
    }
    return {nSightings: nSightings, recall: recall, length: length};
  }

  // Sampled place pairs: is there a route that passes no camera, and how much longer is it?
  function cameraFree(data, layout, trees) {
    var closed = new Set(watched(data, layout).keys()), net = closedNetwork(data, closed);
    var free = new Map(), ratios = [], finite = 0, o = data.pairs.o, d = data.pairs.d;
    for (var i = 0; i < o.length; i++) {
      if (!trees.has(o[i])) trees.set(o[i], tree(data.csr, data.csr.weights, o[i]));
      if (!free.has(o[i])) free.set(o[i], tree(data.csr, net.weights, o[i]));
      var ratio = free.get(o[i]).dist[d[i]] / trees.get(o[i]).dist[d[i]];
      if (isFinite(ratio)) { finite += 1; ratios.push(ratio); }
    }
    ratios.sort(function (a, b) { return a - b; });
    var m = ratios.length, median = m ? (m % 2 ? ratios[(m - 1) / 2] : (ratios[m / 2 - 1] + ratios[m / 2]) / 2) : null;
    return {share: o.length ? finite / o.length : null, n: o.length, detourMedian: median};
  }

  // The headline numbers of a layout (keys as in metrics.json).
  function metrics(data, layout, cache) {
    var trees = (cache && cache.trees) || new Map();
    var reads = readsOf(data, layout), codes = plateCodes(reads), sighting = sightings(data, reads, codes.code);
    var key = plateKeys(data, reads, codes.code, codes.texts, sighting, trees);
    var rebuilt = reconstruct(data, reads, trees, key);
    var table = tripTable(data, reads, rebuilt, sighting, codes.texts);
    var n = table.recall.length, ge1 = 0, ge2 = 0, sum = 0.0, nLong = 0, longRead = 0;
    for (var t = 0; t < n; t++) {
      var s = table.nSightings[t];
      if (s >= 1) ge1 += 1;
      if (s >= 2) ge2 += 1;
      sum += table.recall[t];
      if (table.length[t] > data.long_trip_km * 1000) { nLong += 1; if (s >= 1) longRead += 1; }
    }
    var free = cameraFree(data, layout, trees);
    return {
      n_trips: n, n_reads: reads.trip.length, n_cameras: layout.length,
      share_trips_read_ge1: n ? ge1 / n : null, share_trips_read_ge2: n ? ge2 / n : null,
      share_long_trips_read: nLong ? longRead / nLong : null, share_long_trips_read_n: nLong,
      route_recall_mean: n ? sum / n : null,
      camera_free_pair_share: free.share, camera_free_pair_share_n: free.n, detour_ratio_median: free.detourMedian,
      _reads: reads, _rebuilt: rebuilt, _table: table, _plates: codes.texts
    };
  }

  // Fastest route between two intersections, and the fastest that passes no camera.
  function wayRound(data, layout, from, to) {
    var closed = new Set(watched(data, layout).keys()), net = closedNetwork(data, closed);
    var fast = tree(data.csr, data.csr.weights, from), free = tree(data.csr, net.weights, from);
    return {
      fastest: pathEdges(data.csr, data.csr.edge, fast, to), fastestS: fast.dist[to],
      free: pathEdges(data.csr, net.edge, free, to), freeS: free.dist[to]
    };
  }

  // The layout as a cameras.csv that `curtain run` reads (cameras.strategy = "file"): the run's cameras with their
  // own rates and operator, the class's with those of a camera put up on that road.
  function camerasCsv(data, layout) {
    var lines = ["camera_id,u,v,key,direction,read_rate,misread_rate,operator"], e = data.edges, ids = data.nodes.id;
    var prep = prepared(data);
    layout.forEach(function (c) {
      var k = prep.index.has(c.camera_id) && data.layout[prep.index.get(c.camera_id)].edge === c.edge
        ? prep.index.get(c.camera_id) : -1;
      var rates = ratesOf(data, c, k), op = k >= 0 ? data.layout[k].operator : data.class_camera.operator;
      lines.push([c.camera_id, ids[e.u[c.edge]], ids[e.v[c.edge]], e.key[c.edge], c.direction, rates.read,
                  rates.misread, op].join(","));
    });
    return lines.join("\n") + "\n";
  }

  return {tree: tree, pathEdges: pathEdges, watched: watched, readsOf: readsOf, reconstruct: reconstruct, draw: draw,
          metrics: metrics, wayRound: wayRound, camerasCsv: camerasCsv};
})();
if (typeof module !== "undefined") module.exports = CurtainEngine;
