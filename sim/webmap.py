"""``map.html``: an interactive map that needs nothing from the network.

The roads, cameras and a sample of reads are drawn as inline SVG in the
network's own projected coordinates (metres; a synthetic city is not
placed on anyone's real streets), with a few lines of inline JavaScript to
pan (drag), zoom (wheel) and show or hide the reads. No script, style,
font or tile is loaded from anywhere, so the page works offline and opens
the same in ten years.

With ``[output] map_tiles`` (a network with a place on Earth only) the map
is drawn in Web Mercator metres instead, under a layer of online tiles as
``<image>`` elements: offline the roads and cameras still show, over white.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from sim.cameras import watch_pairs
from sim.geo import NOT_ON_EARTH, to_lonlat
from sim.network import RoadNetwork, major_roads, reader_sites

#: Operator colours (Okabe–Ito), in the order of the figures' (:data:`sim.plot.OPERATOR_PALETTE`).
COLOURS = ("#D55E00", "#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#009E73", "#F0E442")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; display: flex; flex-direction: column; height: 100vh; }}
header {{ padding: 0.4em 0.8em; background: #f4f4f4; border-bottom: 1px solid #ccc; font-size: 0.9em; }}
svg {{ display: block; width: 100%; flex: 1; min-height: 0; background: #fff; cursor: grab; }}
.roads {{ fill: none; stroke: #bbb; vector-effect: non-scaling-stroke; stroke-width: 1; }}
.major {{ fill: none; stroke: #777; vector-effect: non-scaling-stroke; stroke-width: 2; }}
.reads circle {{ fill: #0072B2; opacity: 0.6; }}
.boundary {{ fill: none; stroke: #000; vector-effect: non-scaling-stroke; stroke-width: 2; stroke-dasharray: 3 3; }}
.key span {{ display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin: 0 0.2em 0 0.8em; }}
.key span.line {{ border-radius: 0; height: 0; width: 1.4em; border-top: 2px dashed #000; vertical-align: middle; }}
</style></head><body>
<header><b>{title}</b> — drag to pan, wheel to zoom, hover a camera for its reads.
<label><input type="checkbox" id="show-reads"> reads (sample of {n_reads:,})</label>
<span class="key">{key}</span> <span style="float:right">{scale}</span></header>
<svg id="map" viewBox="{view}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
<g id="layers">{tiles}
<path class="roads" d="{roads}"/>
<path class="major" d="{major}"/>
<path class="boundary" d="{boundary}"/>
<g class="reads" id="reads" style="display:none">{reads}</g>
<g class="cameras">{cameras}</g>
</g></svg>
<script>
(function () {{
  const svg = document.getElementById("map");
  let box = svg.viewBox.baseVal, drag = null;
  svg.addEventListener("wheel", function (e) {{
    e.preventDefault();
    const k = e.deltaY > 0 ? 1.2 : 1 / 1.2, r = svg.getBoundingClientRect();
    const mx = box.x + (e.clientX - r.left) / r.width * box.width,
          my = box.y + (e.clientY - r.top) / r.height * box.height;
    box.x = mx - (mx - box.x) * k; box.y = my - (my - box.y) * k; box.width *= k; box.height *= k;
  }}, {{passive: false}});
  svg.addEventListener("mousedown", function (e) {{ drag = [e.clientX, e.clientY]; svg.style.cursor = "grabbing"; }});
  window.addEventListener("mouseup", function () {{ drag = null; svg.style.cursor = "grab"; }});
  window.addEventListener("mousemove", function (e) {{
    if (!drag) return;
    const r = svg.getBoundingClientRect(), s = Math.max(box.width / r.width, box.height / r.height);
    box.x -= (e.clientX - drag[0]) * s; box.y -= (e.clientY - drag[1]) * s; drag = [e.clientX, e.clientY];
  }});
  document.getElementById("show-reads").addEventListener("change", function (e) {{
    document.getElementById("reads").style.display = e.target.checked ? "" : "none";
  }});
}})();
</script></body></html>
"""


def display_name(name: str) -> str:
    """An operator's or agency's id as words for a legend: hyphens and underscores become spaces, the first
    letter a capital, and a short word without a vowel (an acronym) capitals; a name with capitals is kept.

    Examples
    --------
    >>> display_name("norfolk-police"), display_name("nypd"), display_name("town-1"), display_name("ICE")
    ('Norfolk police', 'NYPD', 'Town 1', 'ICE')
    """
    if name != name.lower():
        return name
    words = [w.upper() if 2 <= len(w) <= 4 and w.isalpha() and not set(w) & set("aeiou") else w
             for w in name.replace("_", " ").replace("-", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


#: Half the width of the Web Mercator world (EPSG:3857), metres.
MERCATOR_HALF = 20_037_508.342789244
#: Most tiles drawn across the map's larger side.
TILES_ACROSS = 6


def map_html(net: RoadNetwork, layout: pd.DataFrame, reads: pd.DataFrame, *, title: str,
             max_reads: int = 2_000, tiles: str = "", attribution: str = "",
             boundary: np.ndarray | None = None, boundary_label: str = "") -> str:
    """The page: roads (arterials darker), cameras coloured by operator and sized by reads, a sample of reads.

    ``tiles`` is a tile URL template (``{z}/{x}/{y}``) for an online background; empty for none. ``boundary``
    (edges) is drawn dashed, named ``boundary_label`` in the key: a fenced district's, or a line's crossings.
    The key names each operator in words (:func:`display_name`) with its number of cameras.
    """
    px, py = _mercator(net) if tiles else (net.x, net.y)
    x, y = px - px.min(), py.max() - py  # metres from the north-west corner; SVG's y points down
    major = major_roads(net)
    camera, edge, _ = watch_pairs(layout, net)
    counts = reads["camera_id"].value_counts()
    operators = sorted(set(layout["operator"]))
    colour = {op: COLOURS[i % len(COLOURS)] for i, op in enumerate(operators)}
    largest = max(1, int(counts.max())) if len(counts) else 1
    span = float(max(np.ptp(x), np.ptp(y), 1.0))
    dots = []
    site_x, site_y = reader_sites(net, np.asarray(edge, np.int64), x, y)
    for row, e, cx, cy in zip(camera, edge, site_x, site_y):
        cam = layout.iloc[int(row)]
        n = int(counts.get(cam["camera_id"], 0))
        radius = span * (0.003 + 0.006 * np.sqrt(n / largest))
        label = f"{cam['camera_id']} ({cam['direction']}, {cam['operator']}): {n:,} reads"
        dots.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour[cam["operator"]]}" '
                    f'fill-opacity="0.8"><title>{html.escape(label)}</title></circle>')
    sample = reads.iloc[np.linspace(0, len(reads) - 1, min(max_reads, len(reads))).astype(int)] if len(reads) else reads
    read_dots = []
    for e, plate, when in zip(sample.get("edge", []), sample.get("plate_read", []), sample.get("timestamp", [])):
        rx, ry = (x[net.edge_u[e]] + x[net.edge_v[e]]) / 2, (y[net.edge_u[e]] + y[net.edge_v[e]]) / 2
        read_dots.append(f'<circle cx="{rx:.1f}" cy="{ry:.1f}" r="{span * 0.0015:.1f}"><title>'
                         f'{html.escape(str(plate))} at {pd.Timestamp(when):%Y-%m-%d %H:%M:%S}</title></circle>')
    pad = 0.03 * span
    key = "".join(f'<span style="background:{colour[op]}"></span>{html.escape(display_name(str(op)))}: '
                  f'{_readers(layout, camera, op)}' for op in operators)
    key += " (dot size: reads)" if operators else ""
    lines = np.asarray(boundary if boundary is not None else [], dtype=np.int64)
    if len(lines) and boundary_label:
        key += f'<span class="line"></span>{html.escape(boundary_label)}'

    scale = f"{np.ptp(net.x) / 1000:.1f} km across"
    layer = ""
    if tiles:
        layer = _tile_layer(tiles, px.min(), py.max(), np.ptp(px), np.ptp(py))
        scale = f"{scale} · background: {html.escape(attribution)}"
    return PAGE.format(
        title=html.escape(title), n_reads=len(sample), key=key, scale=scale, tiles=layer,
        view=f"{-pad:.1f} {-pad:.1f} {np.ptp(x) + 2 * pad:.1f} {np.ptp(y) + 2 * pad:.1f}",
        roads=_path(x, y, net.edge_u[~major], net.edge_v[~major]),
        major=_path(x, y, net.edge_u[major], net.edge_v[major]),
        boundary=_path(x, y, net.edge_u[lines], net.edge_v[lines]),
        reads="".join(read_dots), cameras="".join(dots))


def _readers(layout: pd.DataFrame, camera: np.ndarray, operator: str) -> str:
    """'12 cameras', '9 patrol cars (not drawn: they move)' or both, for an operator's entry in the key."""
    fixed = int(np.sum(layout["operator"].to_numpy()[np.unique(camera)] == operator))
    mobile = int(((layout["operator"] == operator) & (layout["kind"] == "mobile")).sum()) \
        if "kind" in layout.columns else 0
    words = [f"{fixed:,} camera{'' if fixed == 1 else 's'}"] if fixed or not mobile else []
    if mobile:
        words.append(f"{mobile:,} patrol car{'' if mobile == 1 else 's'} (not drawn: they move)")
    return ", ".join(words)


def _path(x: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> str:
    """One SVG path of straight segments (each road drawn once, not once per direction)."""
    a, b = np.minimum(u, v), np.maximum(u, v)
    pairs = np.unique(np.stack([a, b], axis=1), axis=0) if len(a) else np.zeros((0, 2), np.int64)
    return " ".join(f"M{x[p]:.1f} {y[p]:.1f}L{x[q]:.1f} {y[q]:.1f}" for p, q in pairs)




def _mercator(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    """The nodes in Web Mercator metres (EPSG:3857), the tiles' projection."""
    from pyproj import Transformer

    lonlat = to_lonlat(net, net.x, net.y)
    if lonlat is None:
        raise ValueError(f"map tiles: {NOT_ON_EARTH}")
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(*lonlat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def tile_zoom(span_m: float) -> int:
    """The zoom at which at most :data:`TILES_ACROSS` tiles cover ``span_m`` Web Mercator metres (1..18)."""
    return int(np.clip(np.floor(np.log2(TILES_ACROSS * 2 * MERCATOR_HALF / max(span_m, 1.0))), 1, 18))


def _tile_layer(template: str, west: float, north: float, width: float, height: float) -> str:
    """``<image>`` tiles covering the box (Web Mercator metres), placed in the page's coordinates."""
    zoom = tile_zoom(max(width, height))
    size = 2 * MERCATOR_HALF / 2**zoom
    first_x, last_x = (int((v + MERCATOR_HALF) // size) for v in (west, west + width))
    first_y, last_y = (int((MERCATOR_HALF - v) // size) for v in (north, north - height))
    images = []
    for ty in range(first_y, last_y + 1):
        for tx in range(first_x, last_x + 1):
            url = template.replace("{z}", str(zoom)).replace("{x}", str(tx)).replace("{y}", str(ty))
            left, top = -MERCATOR_HALF + tx * size - west, north - (MERCATOR_HALF - ty * size)
            images.append(f'<image href="{html.escape(url)}" x="{left:.1f}" y="{top:.1f}" width="{size:.1f}" '
                          f'height="{size:.1f}" preserveAspectRatio="none"/>')
    return '\n<g id="tiles" opacity="0.7">' + "".join(images) + "</g>"
