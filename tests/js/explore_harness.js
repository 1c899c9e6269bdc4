// Runs the explorer page's engine under Node.js: node explore_harness.js PAGE.html [LAYOUT.json]
// Prints the page's numbers for the layout (default: the scenario's) and the layout as cameras.csv, as JSON.
const fs = require("fs"), vm = require("vm");
const page = fs.readFileSync(process.argv[2], "utf8");
const grab = (id) => { const m = page.match(new RegExp('<script[^>]*id="' + id + '"[^>]*>([\\s\\S]*?)</script>')); return m[1]; };
const data = JSON.parse(grab("curtain-data"));
const ctx = {module: {}}; vm.createContext(ctx); vm.runInContext(grab("curtain-engine"), ctx);
const E = ctx.module.exports;
const layout = process.argv[3] ? JSON.parse(fs.readFileSync(process.argv[3], "utf8")) : data.layout;
const t0 = Date.now(); const m = E.metrics(data, layout); const ms = Date.now() - t0;
const out = {}; for (const k of Object.keys(m)) if (!k.startsWith("_")) out[k] = m[k];
out.ms = ms; out.csv = E.camerasCsv(data, layout);
console.log(JSON.stringify(out));
