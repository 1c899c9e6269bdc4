// Runs the explorer page's engine under Node.js: node explore_harness.js PAGE.html [LAYOUT.json]
// Prints, as JSON, the page's numbers for the layout (default: the scenario's), the layout as cameras.csv and
// the reads the layout makes (trip_id, edge, time_s, camera_id, plate_read: what Python can rebuild and score).
const fs = require("fs"), vm = require("vm");
const page = fs.readFileSync(process.argv[2], "utf8");
const grab = (id) => { const m = page.match(new RegExp('<script[^>]*id="' + id + '"[^>]*>([\\s\\S]*?)</script>')); return m[1]; };
const data = JSON.parse(grab("curtain-data"));
const ctx = {module: {}}; vm.createContext(ctx); vm.runInContext(grab("curtain-engine"), ctx);
const E = ctx.module.exports;
const layout = process.argv[3] ? JSON.parse(fs.readFileSync(process.argv[3], "utf8")) : data.layout;
const t0 = Date.now(); const m = E.metrics(data, layout); const ms = Date.now() - t0;
const again = E.metrics(data, JSON.parse(JSON.stringify(layout)));  // a fresh copy of the layout: the same numbers?
const out = {}; for (const k of Object.keys(m)) if (!k.startsWith("_")) out[k] = m[k];
out.ms = ms; out.csv = E.camerasCsv(data, layout);
out.same_again = Object.keys(out).every((k) => k === "ms" || k === "csv" || again[k] === out[k]);
const r = m._reads;
out.reads = {trip_id: r.trip.map((t) => data.trips.trip_id[t]), edge: r.edge, time_s: r.time, camera_id: r.camera,
             plate_read: r.plate};
console.log(JSON.stringify(out));
