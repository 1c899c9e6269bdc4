// Curtain explorer engine: Curtain's numbers recomputed in the browser (pure functions, no DOM).
// Ports of sim.routing.dijkstra.shortest_tree, sim.reconstruct.reconstruct (fastest paths, no misread matching),
// sim.metrics.trips.trip_metrics and sim.metrics.evasion.camera_free_pairs, step for step, so that the
// numbers equal Curtain's Python on the same trips (tests/test_explore.py runs this file under Node.js).
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

  // edge -> camera ids watching it, in layout order (forward: the camera's own edge; backward: its reverse).
  function watched(data, layout) {
    var map = new Map();
    layout.forEach(function (c) {
      var own = c.edge, rev = data.edges.reverse[c.edge];
      var list = c.direction === "forward" ? [own] : c.direction === "backward" ? [rev] : [own, rev];
      list.forEach(function (e) {
        if (e < 0) return;
        if (!map.has(e)) map.set(e, []);
        map.get(e).push(c.camera_id);
      });
    });
    return map;
  }

  // The reads a layout makes: every pass at a watched edge, read once per camera watching it.
  function readsOf(data, layout) {
    var cams = watched(data, layout), p = data.passes, reads = {trip: [], edge: [], time: [], camera: []};
    for (var i = 0; i < p.trip.length; i++) {
      var ids = cams.get(p.edge[i]);
      if (!ids) continue;
      for (var c = 0; c < ids.length; c++) {
        reads.trip.push(p.trip[i]); reads.edge.push(p.edge[i]); reads.time.push(p.time[i]); reads.camera.push(ids[c]);
      }
    }
    return reads;
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // Each read's sighting: reads of one plate at one camera each within the window of the one before.
  function sightings(data, reads) {
    var n = reads.trip.length, plate = reads.trip.map(function (t) { return data.trips.vehicle[t]; });
    var order = Array.from({length: n}, function (_, i) { return i; });
    order.sort(function (a, b) {
      return (plate[a] - plate[b]) || cmp(reads.camera[a], reads.camera[b]) || (reads.time[a] - reads.time[b]);
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

  // Trips rebuilt from the reads, as a searcher would: by plate in time order, split where the gap is
  // longer than driving between the sightings allows (plus slack), joined by fastest paths.
  function reconstruct(data, reads, trees) {
    var n = reads.trip.length, e = data.edges, csr = data.csr;
    var plate = reads.trip.map(function (t) { return data.trips.vehicle[t]; });
    var order = Array.from({length: n}, function (_, i) { return i; });
    order.sort(function (a, b) { return (plate[a] - plate[b]) || (reads.time[a] - reads.time[b]) || (a - b); });
    var recon = new Int32Array(n), routes = [], current = [], r = 0;
    for (var k = 0; k < n; k++) {
      var i = order[k], ei = reads.edge[i];
      current.push(ei);
      var bridged = false, continues = false;
      if (k + 1 < n) {
        var j = order[k + 1], ej = reads.edge[j];
        if (plate[i] === plate[j]) {
          var from = e.v[ei], to = e.u[ej];
          if (!trees.has(from)) trees.set(from, tree(csr, csr.weights, from));
          var t = trees.get(from);
          var expected = e.time[ei] / 2 + t.dist[to] + e.time[ej] / 2, observed = reads.time[j] - reads.time[i];
          var samePass = ej === ei && observed <= e.time[ej];
          continues = observed <= expected + data.slack_s || samePass;
          bridged = continues && !samePass;
          if (bridged) current.push.apply(current, pathEdges(csr, csr.edge, t, to));
        }
      }
      recon[i] = r;
      if (!continues) { routes.push(current); current = []; r += 1; }
    }
    return {recon: recon, routes: routes};
  }

  // Per true trip: sightings, and the route recall of the rebuilt trips credited to it.
  function tripTable(data, reads, rebuilt, sighting) {
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
      if (best < 0) return;
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
    var reads = readsOf(data, layout), sighting = sightings(data, reads);
    var rebuilt = reconstruct(data, reads, trees), table = tripTable(data, reads, rebuilt, sighting);
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
      _reads: reads, _rebuilt: rebuilt, _table: table
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

  // The layout as a cameras.csv that `curtain run` reads (cameras.strategy = "file").
  function camerasCsv(data, layout) {
    var lines = ["camera_id,u,v,key,direction,read_rate,misread_rate,operator"], e = data.edges, ids = data.nodes.id;
    var op = data.camera_defaults.operator;
    layout.forEach(function (c) {
      lines.push([c.camera_id, ids[e.u[c.edge]], ids[e.v[c.edge]], e.key[c.edge], c.direction,
                  data.camera_defaults.read_rate, data.camera_defaults.misread_rate, op].join(","));
    });
    return lines.join("\n") + "\n";
  }

  return {tree: tree, pathEdges: pathEdges, watched: watched, readsOf: readsOf, reconstruct: reconstruct,
          metrics: metrics, wayRound: wayRound, camerasCsv: camerasCsv};
})();
if (typeof module !== "undefined") module.exports = CurtainEngine;
