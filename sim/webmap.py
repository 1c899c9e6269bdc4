"""``map.html``: an interactive map that needs nothing from the network.

The roads, cameras and a sample of reads are drawn as inline SVG in the
network's own projected coordinates (metres; a synthetic city is not
placed on anyone's real streets), with a few lines of inline JavaScript to
pan (drag), zoom (wheel) and show or hide the reads. No script, style,
font or tile is loaded from anywhere, so the page works offline and opens
the same in ten years.

A fixed camera is a dot with an arrow the way the traffic it reads is
heading, as in the figures; the marks keep their size on screen as the map
zooms (the script sets how many metres a pixel spans), so a town's cameras
come apart when zoomed into. A legend on the page says what colour, size
and arrow mean.

With ``[output] map_tiles`` (a network with a place on Earth only) the map
is drawn in Web Mercator metres instead, under a layer of online tiles as
``<image>`` elements: offline the roads and cameras still show, over white.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from sim.arrays import new_runs
from sim.cameras import watch_pairs
from sim.geo import NOT_ON_EARTH, to_lonlat
from sim.network import RoadNetwork, major_roads, reader_sites

#: Operator colours (Okabe–Ito), in the order of the figures' (:data:`sim.plot.OPERATOR_PALETTE`).
COLOURS = ("#D55E00", "#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#009E73", "#F0E442")

#: A camera dot's radius, screen pixels, for no reads and for the camera with most: the dots keep their size on
#: screen as the map zooms, so that zooming in on a town pulls its cameras apart.
DOT_PX = (3.0, 9.0)

#: The arrow drawn from a camera's dot the way the traffic it reads is heading (pointing north before its
#: ``rotate(bearing)``; screen pixels): a shaft, then a head reaching past the largest dot.
HEADING = ('<path id="heading" d="M0 0V-11M-4 -10L0 -17L4 -10Z" fill="currentColor" stroke="currentColor" '
           'stroke-width="1.5" stroke-linejoin="round"/>')

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; display: flex; flex-direction: column; height: 100vh; }}
header {{ padding: 0.4em 0.8em; background: #f4f4f4; border-bottom: 1px solid #ccc; font-size: 0.9em; }}
main {{ position: relative; flex: 1; min-height: 0; }}
#map {{ display: block; width: 100%; height: 100%; background: #fff; cursor: grab; }}
.roads {{ fill: none; stroke: #bbb; vector-effect: non-scaling-stroke; stroke-width: 1; }}
.major {{ fill: none; stroke: #777; vector-effect: non-scaling-stroke; stroke-width: 2; }}
.reads circle {{ fill: #0072B2; opacity: 0.6; }}
.boundary {{ fill: none; stroke: #000; vector-effect: non-scaling-stroke; stroke-width: 2; stroke-dasharray: 3 3; }}
.mark {{ transform: scale(var(--px, 1)); }}
.mark circle, .icon circle {{ fill: currentColor; fill-opacity: 0.8; stroke: #fff; stroke-width: 0.75; }}
.legend {{ position: absolute; left: 0.6em; bottom: 0.6em; max-width: 26em; max-height: 60%; overflow: auto;
  background: rgba(255, 255, 255, 0.92); border: 1px solid #ccc; padding: 0.3em 0.6em; font-size: 0.85em; }}
.legend summary {{ font-weight: bold; cursor: pointer; }}
.legend div {{ display: flex; align-items: center; gap: 0.4em; margin: 0.25em 0; }}
.legend svg {{ flex: none; overflow: visible; }}
.icon {{ color: #555; }}
{operator_colours}
</style></head><body>
<header><b>{title}</b> — drag to pan, wheel to zoom, hover a camera for its reads.
<label><input type="checkbox" id="show-reads"> reads (sample of {n_reads:,})</label>
<span style="float:right">{scale}</span></header>
<main><svg id="map" style="--px: {px:.3g}" viewBox="{view}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
<defs>{heading}</defs>
<g id="layers">{tiles}
<path class="roads" d="{roads}"/>
<path class="major" d="{major}"/>
<path class="boundary" d="{boundary}"/>
<g class="reads" id="reads" style="display:none">{reads}</g>
<g class="cameras">{cameras}</g>
</g></svg>
<details class="legend" open><summary>Legend</summary>{legend}</details></main>
<script>
(function () {{
  const svg = document.getElementById("map");
  let box = svg.viewBox.baseVal, drag = null;
  function unitsPerPixel() {{
    const r = svg.getBoundingClientRect();
    return Math.max(box.width / r.width, box.height / r.height);
  }}
  // the camera marks are drawn in screen pixels: scaled by the map units a pixel spans now
  function fit() {{ svg.style.setProperty("--px", unitsPerPixel()); }}
  svg.addEventListener("wheel", function (e) {{
    e.preventDefault();
    const k = e.deltaY > 0 ? 1.2 : 1 / 1.2, r = svg.getBoundingClientRect();
    const mx = box.x + (e.clientX - r.left) / r.width * box.width,
          my = box.y + (e.clientY - r.top) / r.height * box.height;
    box.x = mx - (mx - box.x) * k; box.y = my - (my - box.y) * k; box.width *= k; box.height *= k;
    fit();
  }}, {{passive: false}});
  svg.addEventListener("mousedown", function (e) {{ drag = [e.clientX, e.clientY]; svg.style.cursor = "grabbing"; }});
  window.addEventListener("mouseup", function () {{ drag = null; svg.style.cursor = "grab"; }});
  window.addEventListener("mousemove", function (e) {{
    if (!drag) return;
    const s = unitsPerPixel();
    box.x -= (e.clientX - drag[0]) * s; box.y -= (e.clientY - drag[1]) * s; drag = [e.clientX, e.clientY];
  }});
  window.addEventListener("resize", fit);
  // on a small screen (a phone, a classroom tablet) the legend starts folded: open it would cover the cameras
  const legend = document.querySelector(".legend");
  if (window.innerWidth < 700 || window.innerHeight < 500) legend.open = false;
  // an open legend covers the map's lower left corner: when a camera would start under it, the map starts beside
  // it or above it, whichever leaves the network larger
  fit();
  (function besideLegend() {{
    const r = svg.getBoundingClientRect(), l = legend.getBoundingClientRect();
    if (!legend.open || !r.width || !r.height) return;
    const under = [...svg.querySelectorAll("[data-bearing]")].some(function (m) {{
      const b = m.getBoundingClientRect();
      return b.right > l.left && b.left < l.right && b.bottom > l.top && b.top < l.bottom;
    }});
    if (!under) return;
    const lw = l.right - r.left + 4, lh = r.bottom - l.top + 4, x0 = box.x, y0 = box.y, w = box.width,
          h = box.height;
    const right = Math.max(w / Math.max(r.width - lw, 1), h / r.height),
          above = Math.max(w / r.width, h / Math.max(r.height - lh, 1)), s = Math.min(right, above);
    const left = right <= above ? lw + (r.width - lw - w / s) / 2 : (r.width - w / s) / 2,
          top = right <= above ? (r.height - h / s) / 2 : (r.height - lh - h / s) / 2;
    box.x = x0 - left * s; box.y = y0 - top * s; box.width = r.width * s; box.height = r.height * s;
  }})();
  document.getElementById("show-reads").addEventListener("change", function (e) {{
    document.getElementById("reads").style.display = e.target.checked ? "" : "none";
  }});
  fit();
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
    """The page: roads (arterials darker), cameras, a sample of reads, and a legend.

    A fixed camera is a dot coloured by operator and sized by reads, with an arrow the way the traffic it reads
    is heading (two for one reading both ways); its ``<g>`` carries ``data-camera`` and ``data-bearing``
    (degrees clockwise from north, one per direction read). Patrol-car readers move: they are counted in the
    legend, not drawn. ``tiles`` is a tile URL template (``{z}/{x}/{y}``) for an online background; empty for
    none. ``boundary`` (edges) is drawn dashed, named ``boundary_label`` in the legend: a fenced district's, or
    a line's crossings.
    """
    px, py = _mercator(net) if tiles else (net.x, net.y)
    x, y = px - px.min(), py.max() - py  # metres from the north-west corner; SVG's y points down
    major = major_roads(net)
    counts = reads["camera_id"].value_counts()
    pairs = watch_pairs(layout, net)
    camera = pairs[0]
    # the dots' scale: the busiest camera drawn (a patrol car, not drawn, may read more than any)
    drawn = counts.reindex(layout["camera_id"].iloc[np.unique(camera)]).fillna(0).to_numpy()
    largest = max(1, int(np.max(drawn, initial=0)))
    operators = sorted(set(layout["operator"]))
    span = float(max(np.ptp(x), np.ptp(y), 1.0))
    sample = reads.iloc[np.linspace(0, len(reads) - 1, min(max_reads, len(reads))).astype(int)] if len(reads) else reads
    read_dots = []
    for e, plate, when in zip(sample.get("edge", []), sample.get("plate_read", []), sample.get("timestamp", [])):
        rx, ry = (x[net.edge_u[e]] + x[net.edge_v[e]]) / 2, (y[net.edge_u[e]] + y[net.edge_v[e]]) / 2
        read_dots.append(f'<circle cx="{rx:.1f}" cy="{ry:.1f}" r="{span * 0.0015:.1f}"><title>'
                         f'{html.escape(str(plate))} at {pd.Timestamp(when):%Y-%m-%d %H:%M:%S}</title></circle>')
    lines = np.asarray(boundary if boundary is not None else [], dtype=np.int64)
    legend = _legend(layout, camera, operators, largest, boundary_label if len(lines) else "", n_reads=len(sample),
                     two_kinds_of_road=bool(major.any() and not major.all()))
    scale = f"{np.ptp(net.x) / 1000:.1f} km across"
    layer = ""
    if tiles:
        layer = _tile_layer(tiles, px.min(), py.max(), np.ptp(px), np.ptp(py))
        scale = f"{scale} · background: {html.escape(attribution)}"
    pad = 0.03 * span
    return PAGE.format(
        title=html.escape(title), n_reads=len(sample), scale=scale, tiles=layer, heading=HEADING, legend=legend,
        operator_colours=" ".join(f".c{i} {{ color: {COLOURS[i % len(COLOURS)]}; }}" for i in range(len(operators))),
        view=f"{-pad:.1f} {-pad:.1f} {np.ptp(x) + 2 * pad:.1f} {np.ptp(y) + 2 * pad:.1f}",
        px=(span + 2 * pad) / 1000,  # map metres a screen pixel spans until the script measures it (1000 px)
        roads=_path(x, y, net.edge_u[~major], net.edge_v[~major]),
        major=_path(x, y, net.edge_u[major], net.edge_v[major]),
        boundary=_path(x, y, net.edge_u[lines], net.edge_v[lines]),
        reads="".join(read_dots), cameras=_camera_marks(net, layout, pairs, counts, largest, operators, x, y))


def compass_bearing(east: np.ndarray, north: np.ndarray) -> np.ndarray:
    """The compass bearing (degrees clockwise from north, 0 ≤ b < 360) of each step ``east``, ``north``.

    Examples
    --------
    >>> compass_bearing(np.array([0.0, 1.0, 0.0, -1.0, 1.0]), np.array([1.0, 0.0, -1.0, 0.0, 1.0])).tolist()
    [0.0, 90.0, 180.0, 270.0, 45.0]
    """
    return np.degrees(np.arctan2(east, north)) % 360.0


def compass_point(bearing: float) -> str:
    """The nearest of the eight compass points to ``bearing`` (degrees clockwise from north).

    Examples
    --------
    >>> compass_point(0.0), compass_point(100.0), compass_point(337.0)
    ('N', 'E', 'NW')
    """
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[int((bearing + 22.5) // 45) % 8]


def dot_radius(n_reads: int, largest: int) -> float:
    """A camera dot's radius (screen pixels, :data:`DOT_PX`): its area grows with its reads, ``largest`` the most
    any camera made.

    Examples
    --------
    >>> dot_radius(0, 400), dot_radius(100, 400), dot_radius(400, 400)
    (3.0, 6.0, 9.0)
    """
    low, high = DOT_PX
    return low + (high - low) * float(np.sqrt(n_reads / max(largest, 1)))


def _camera_marks(net: RoadNetwork, layout: pd.DataFrame, pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
                  counts: pd.Series, largest: int, operators: list[str], x: np.ndarray, y: np.ndarray) -> str:
    """A ``<g>`` per fixed camera at its reader site (page metres, ``x``, ``y`` per node): a dot and an arrow per
    direction it reads. ``pairs`` are the layout's :func:`~sim.cameras.watch_pairs`."""
    camera, edge, backward = pairs
    if not len(camera):  # no fixed camera (patrol cars only, or a baseline run with none)
        return ""
    order = np.lexsort((backward, camera))  # a camera's own direction first: its site is the one drawn
    camera, edge = camera[order], edge[order]
    bearing = compass_bearing(x[net.edge_v[edge]] - x[net.edge_u[edge]], y[net.edge_u[edge]] - y[net.edge_v[edge]])
    first = np.flatnonzero(new_runs(camera))
    site_x, site_y = reader_sites(net, edge[first], x, y)
    marks = []
    for start, stop, cx, cy in zip(first, np.r_[first[1:], len(camera)], site_x, site_y):
        cam = layout.iloc[int(camera[start])]
        n = int(counts.get(cam["camera_id"], 0))
        degrees = [int(b) % 360 for b in np.round(bearing[start:stop])]
        heading = " and ".join(f"{compass_point(b)} ({b}°)" for b in degrees)
        label = f"{cam['camera_id']} ({cam['operator']}): {n:,} reads of traffic heading {heading}"
        arrows = "".join(f'<use href="#heading" transform="rotate({b})"/>' for b in degrees)
        marks.append(f'<g class="c{operators.index(cam["operator"])}" transform="translate({cx:.1f} {cy:.1f})" '
                     f'data-camera="{html.escape(str(cam["camera_id"]))}" data-bearing="{" ".join(map(str, degrees))}">'
                     f'<title>{html.escape(label)}</title><g class="mark">{arrows}'
                     f'<circle r="{dot_radius(n, largest):.1f}"/></g></g>')
    return "".join(marks)


def _icon(body: str, view: tuple[float, float, float, float] = (-11, -11, 22, 22), css: str = "icon") -> str:
    """A small inline SVG for the legend: ``body`` in screen pixels, ``view`` its box (left, top, width, height)."""
    left, top, width, height = view
    return (f'<svg class="{css}" width="{width:g}" height="{height:g}" viewBox="{left:g} {top:g} {width:g} '
            f'{height:g}">{body}</svg>')


def _size_key(largest: int) -> str:
    """Dots as big as a camera's with no reads, a quarter of ``largest`` and ``largest`` reads, each labelled."""
    dots, left = [], 0.0
    for n in sorted({0, round(largest / 4), largest}):
        r = dot_radius(n, largest)
        half = max(r, 2.75 * len(f"{n:,}"))  # room for the label (9 px type) under the dot
        dots.append(f'<circle cx="{left + half:.1f}" cy="-4" r="{r:.1f}"/><text x="{left + half:.1f}" '
                    f'y="{r + 6:.1f}" font-size="9" text-anchor="middle">{n:,}</text>')
        left += 2 * half + 6
    return _icon("".join(dots), view=(-2, -14, left, 30))


def _legend(layout: pd.DataFrame, camera: np.ndarray, operators: list[str], largest: int, boundary_label: str,
            *, n_reads: int, two_kinds_of_road: bool = False) -> str:
    """The legend's rows: each operator's colour with its readers, what a dot's size and an arrow mean, the
    roads (when ``two_kinds_of_road``: main and local are drawn apart), the dashed boundary (when
    ``boundary_label``) and the reads."""
    mark = '<use href="#heading" transform="rotate({})"/><circle r="{}"/>'
    drawn = set(layout["operator"].to_numpy()[np.unique(camera)])
    # an operator of patrol cars only has no mark on the map to show: its icon is left blank
    rows = [_icon(mark.format(90, 5) if op in drawn else "", view=(-7, -11, 26, 22), css=f"icon c{i}")
            + f"{html.escape(display_name(str(op)))}: {_readers(layout, camera, op)}" for i, op in enumerate(operators)]
    if not operators:  # a baseline run (cameras.allow_empty): say so rather than show an empty legend
        rows.append("No camera and no patrol car in this run")
    if len(camera):
        rows.append(_size_key(largest) + "Dot size: the camera's reads in this run; colour: its operator")
        rows.append(_icon(mark.format(45, 3), view=(-7, -15, 26, 22))
                    + "Arrow: the way the traffic a camera reads is heading (two arrows: it reads both ways)")
    if two_kinds_of_road:
        rows.append(_icon('<path class="major" d="M-10 -3H10"/><path class="roads" d="M-10 4H10"/>')
                    + "Roads: main roads dark, local streets light")
    if boundary_label:
        rows.append(_icon('<path d="M-10 0H10" stroke="#000" stroke-width="2" stroke-dasharray="3 3"/>')
                    + html.escape(boundary_label))
    if n_reads:
        rows.append(_icon('<circle r="2.5" fill="#0072B2" fill-opacity="0.6"/>', css="read")
                    + f"A read, on the road where it was made (a sample of {n_reads:,}: tick “reads” above)")
    return "".join(f"<div>{row}</div>" for row in rows)


def _readers(layout: pd.DataFrame, camera: np.ndarray, operator: str) -> str:
    """'12 cameras', '9 patrol cars (not drawn: …)' or both, for an operator's entry in the legend."""
    fixed = int(np.sum(layout["operator"].to_numpy()[np.unique(camera)] == operator))
    mobile = int(((layout["operator"] == operator) & (layout["kind"] == "mobile")).sum()) \
        if "kind" in layout.columns else 0
    words = [f"{fixed:,} camera{'' if fixed == 1 else 's'}"] if fixed or not mobile else []
    if mobile:
        words.append(f"{mobile:,} patrol car{'' if mobile == 1 else 's'} (not drawn: they move, so have no fixed "
                     "place or direction)")
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
