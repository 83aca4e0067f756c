// Converts Natural Earth's 1:50m countries (public domain), as packaged in the npm
// package world-atlas 2.0.2 (countries-50m.json, TopoJSON), into the compact outline the
// bot draws its map on: Kazakhstan and its neighbours, clipped to the map's frame,
// projected, simplified, as SVG path data. Run once; the output is committed and nothing
// is fetched at run time.
//
//   cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//   node /path/to/repo/tools/outline/convert.mjs package/countries-50m.json \
//     > /path/to/repo/assets/map/outline.json
//
// No dependencies: TopoJSON is decoded here (quantized, delta-encoded arcs).
//
// Projection: equirectangular with a standard parallel at 48°N (x = lon·cos 48°,
// y = lat), scaled so the frame [LON_MIN, LON_MAX] × [LAT_MIN, LAT_MAX] is WIDTH pixels
// wide. Kazakhstan spans 40.6–55.4°N, where this keeps shapes within a few percent.
// The Rust side (src/render/map/projection.rs) reads the same numbers from the output.

import { readFileSync } from "node:fs";

const LON_MIN = 45.5, LON_MAX = 88.5, LAT_MIN = 39.0, LAT_MAX = 56.5;
const PARALLEL = 48;
const WIDTH = 1280;
// Simplification tolerance in output pixels (Douglas-Peucker).
const TOLERANCE = 0.8;
// Drawn beyond the frame by this many pixels, so clipped edges never show.
const MARGIN = 8;

// ISO 3166 numeric ids of the countries drawn; Kazakhstan is the one highlighted.
const KAZAKHSTAN = "398";
const NEIGHBOURS = {
  "643": "Russia", "156": "China", "417": "Kyrgyzstan", "860": "Uzbekistan",
  "795": "Turkmenistan", "496": "Mongolia", "762": "Tajikistan", "004": "Afghanistan",
  "364": "Iran", "031": "Azerbaijan", "268": "Georgia", "051": "Armenia",
};

const kx = Math.cos((PARALLEL * Math.PI) / 180);
const scale = WIDTH / ((LON_MAX - LON_MIN) * kx);
const HEIGHT = Math.round((LAT_MAX - LAT_MIN) * scale);
const project = ([lon, lat]) => [(lon - LON_MIN) * kx * scale, (LAT_MAX - lat) * scale];

const topo = JSON.parse(readFileSync(process.argv[2], "utf8"));
const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;

// Arcs: delta-encoded quantized positions → longitude/latitude.
const arcs = topo.arcs.map((arc) => {
  let x = 0, y = 0;
  return arc.map(([dx, dy]) => {
    x += dx; y += dy;
    return [x * sx + tx, y * sy + ty];
  });
});

// A ring is a list of arc indexes; a negative index ~i is arc i reversed.
function ring(indexes) {
  const points = [];
  for (const i of indexes) {
    const arc = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
    arc.forEach((p, k) => { if (k > 0 || points.length === 0) points.push(p); });
  }
  return points;
}

// Sutherland-Hodgman against one edge of the frame (plus margin).
function clipEdge(points, inside, cross) {
  const out = [];
  for (let k = 0; k < points.length; k++) {
    const a = points[k], b = points[(k + 1) % points.length];
    const ia = inside(a), ib = inside(b);
    if (ia) out.push(a);
    if (ia !== ib) out.push(cross(a, b));
  }
  return out;
}

function clip(points) {
  const x0 = -MARGIN, x1 = WIDTH + MARGIN, y0 = -MARGIN, y1 = HEIGHT + MARGIN;
  const at = (a, b, t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  let p = points;
  p = clipEdge(p, (q) => q[0] >= x0, (a, b) => at(a, b, (x0 - a[0]) / (b[0] - a[0])));
  p = clipEdge(p, (q) => q[0] <= x1, (a, b) => at(a, b, (x1 - a[0]) / (b[0] - a[0])));
  p = clipEdge(p, (q) => q[1] >= y0, (a, b) => at(a, b, (y0 - a[1]) / (b[1] - a[1])));
  p = clipEdge(p, (q) => q[1] <= y1, (a, b) => at(a, b, (y1 - a[1]) / (b[1] - a[1])));
  return p;
}

function simplify(points) {
  if (points.length < 4) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    const [ax, ay] = points[first], [bx, by] = points[last];
    const len = Math.hypot(bx - ax, by - ay) || 1e-9;
    let worst = -1, index = -1;
    for (let k = first + 1; k < last; k++) {
      const [px, py] = points[k];
      const d = len < 1e-6
        ? Math.hypot(px - ax, py - ay)
        : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / len;
      if (d > worst) { worst = d; index = k; }
    }
    if (worst > TOLERANCE) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, k) => keep[k]);
}

const round = (v) => Math.round(v * 10) / 10;

function pathData(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs;
  const parts = [];
  for (const polygon of polygons) {
    for (const indexes of polygon) {
      const projected = clip(ring(indexes).map(project));
      const simple = simplify(projected);
      if (simple.length < 3) continue;
      // Drop rings smaller than a pixel: islands no one could see.
      const xs = simple.map((p) => p[0]), ys = simple.map((p) => p[1]);
      if (Math.max(...xs) - Math.min(...xs) < 1.5 && Math.max(...ys) - Math.min(...ys) < 1.5) continue;
      let d = "", prev = null;
      for (const [x, y] of simple) {
        const q = [round(x), round(y)];
        if (prev && q[0] === prev[0] && q[1] === prev[1]) continue;
        d += (prev ? "L" : "M") + q[0] + " " + q[1];
        prev = q;
      }
      parts.push(d + "Z");
    }
  }
  return parts.join("");
}

const countries = [];
for (const g of topo.objects.countries.geometries) {
  const name = g.id === KAZAKHSTAN ? "Kazakhstan" : NEIGHBOURS[g.id];
  if (!name) continue;
  const d = pathData(g);
  if (d) countries.push({ id: g.id, name, d });
}
countries.sort((a, b) => a.id.localeCompare(b.id));

const out = {
  source: "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2.0.2",
  projection: {
    lon_min: LON_MIN, lon_max: LON_MAX, lat_min: LAT_MIN, lat_max: LAT_MAX,
    parallel: PARALLEL, width: WIDTH, height: HEIGHT,
  },
  kazakhstan: KAZAKHSTAN,
  countries,
};
process.stdout.write(JSON.stringify(out) + "\n");
