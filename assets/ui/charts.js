// The dashboard's drawings, in SVG: timelines with spikes, the world map of places, the graph
// of an entity's neighbours. Each takes an API answer as it comes.
import { LAND } from "./world.js";
import { fmt, h, plural, q, s, shorten } from "./dom.js";

const PALETTE = ["#0b5cad", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#1098ad", "#5c940d", "#e67700", "#364fc7", "#a61e4d"];

/**
 * A timeline: one line per series over the same buckets (`{name, color, data}`, data as
 * the API's buckets), the buckets' totals as grey bars behind when `totals` is given, and
 * spikes as dots. Each series' line has one vertex per bucket.
 */
export function timelineChart(series, { totals = null, label = "Timeline" } = {}) {
  const width = 760;
  const height = 190;
  const pad = { left: 34, right: 8, top: 8, bottom: 22 };
  const buckets = series[0]?.data ?? [];
  const n = Math.max(buckets.length, 1);
  const max = Math.max(1, ...series.flatMap((one) => one.data.map((b) => b.count)));
  const x = (i) => pad.left + (n === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (n - 1));
  const y = (v, top = max) => height - pad.bottom - (v / top) * (height - pad.top - pad.bottom);
  const chart = s("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${label}: ${buckets.length} buckets from ${buckets[0]?.date ?? "-"} to ${buckets.at(-1)?.date ?? "-"}, at most ${max}`,
  });
  if (totals) {
    const topTotal = Math.max(1, ...totals);
    const barWidth = Math.min(40, Math.max(1, (width - pad.left - pad.right) / n - 1));
    totals.forEach((total, i) => {
      if (total > 0) {
        chart.append(s("rect", { class: "total", x: x(i) - barWidth / 2, y: y(total, topTotal), width: barWidth, height: height - pad.bottom - y(total, topTotal) }));
      }
    });
  }
  chart.append(
    s("line", { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, stroke: "#9aa5b1" }),
    s("text", { x: pad.left - 4, y: pad.top + 8, "text-anchor": "end", text: fmt(max) }),
    s("text", { x: pad.left - 4, y: height - pad.bottom, "text-anchor": "end", text: "0" }),
  );
  for (const i of axisTicks(buckets)) {
    chart.append(s("text", { x: x(i), y: height - 6, "text-anchor": "middle", text: buckets[i].date.slice(0, buckets.length > 60 ? 4 : 7) }));
  }
  series.forEach((one, index) => {
    const color = one.color ?? PALETTE[index % PALETTE.length];
    const points = one.data.map((b, i) => `${x(i).toFixed(1)},${y(b.count).toFixed(1)}`).join(" ");
    chart.append(s("polyline", { class: "series", stroke: color, points, "data-series": one.name, "data-points": one.data.length }));
    one.data.forEach((b, i) => {
      // With few buckets a line hardly shows: each bucket gets a dot too.
      if (n <= 60 && !b.spike) {
        chart.append(s("circle", { cx: x(i), cy: y(b.count), r: 2.5, fill: color }, s("title", { text: `${one.name}: ${b.count} in the ${b.date} bucket` })));
      }
      if (b.spike) {
        chart.append(
          s("circle", { class: "spike", cx: x(i), cy: y(b.count), r: 4, "data-spike": b.date }, s("title", { text: `${one.name}: ${b.count} in the ${b.date} bucket (score ${b.score})` })),
        );
      }
    });
  });
  return chart;
}

/** Bucket indexes to label: about six, at even steps. */
function axisTicks(buckets) {
  if (buckets.length === 0) return [];
  const step = Math.max(1, Math.ceil(buckets.length / 6));
  const ticks = [];
  for (let i = 0; i < buckets.length; i += step) ticks.push(i);
  return ticks;
}

export function legend(series) {
  return h(
    "div",
    { class: "legend" },
    series.map((one, index) => h("span", {}, h("i", { style: `background:${one.color ?? PALETTE[index % PALETTE.length]}` }), one.link ?? one.name, one.spikes ? ` (${plural(one.spikes, "spike")})` : "")),
  );
}

/** Places (a GeoJSON FeatureCollection of points with `count`) on the bundled world outline. */
export function placesMap(collection) {
  const features = collection.features.filter((f) => f.geometry);
  const max = Math.max(1, ...features.map((f) => f.properties.count));
  const map = s(
    "svg",
    // A group, not an image: its places are links.
    { class: "map", viewBox: "0 0 360 180", role: "group", "aria-label": `Map of ${features.length} places` },
    s("rect", { class: "sea", width: 360, height: 180 }),
    s("path", { class: "land", d: LAND }),
  );
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    map.append(
      s(
        "a",
        { href: `#/entity/${q(p.slug)}` },
        s("circle", { cx: (lon + 180).toFixed(2), cy: (90 - lat).toFixed(2), r: (1 + 5 * Math.sqrt(p.count / max)).toFixed(2), "data-place": p.slug }, s("title", { text: `${p.name}: ${plural(p.count, "article")}` })),
      ),
    );
  }
  return map;
}

/** An entity and its related entities: the entity in the middle, the others around it. */
export function relatedGraph(center, related) {
  const width = 600;
  const size = 380;
  const mid = size / 2;
  const centerX = width / 2;
  const radius = size / 2 - 30;
  const maxCo = Math.max(1, ...related.map((r) => r.co_count));
  const graph = s("svg", { class: "graph", viewBox: `0 0 ${width} ${size}`, role: "group", "aria-label": `${center.name} and ${related.length} related entities` });
  const nodes = related.map((r, i) => {
    const angle = (2 * Math.PI * i) / Math.max(related.length, 1) - Math.PI / 2;
    return { ...r, x: centerX + radius * Math.cos(angle), y: mid + radius * Math.sin(angle) };
  });
  for (const node of nodes) {
    graph.append(s("line", { x1: centerX, y1: mid, x2: node.x, y2: node.y, "stroke-width": (0.5 + 4 * (node.co_count / maxCo)).toFixed(2) }));
  }
  const color = (type) => getComputedStyle(document.documentElement).getPropertyValue(`--${type}`).trim();
  graph.append(s("circle", { cx: centerX, cy: mid, r: 14, fill: color(center.type) }), s("text", { x: centerX, y: mid + 36, "text-anchor": "middle", "font-weight": "bold", text: center.name }));
  for (const node of nodes) {
    const anchor = Math.abs(node.x - centerX) < 10 ? "middle" : node.x > centerX ? "start" : "end";
    const dx = anchor === "start" ? 14 : anchor === "end" ? -14 : 0;
    graph.append(
      s(
        "a",
        { href: `#/entity/${q(node.slug)}` },
        s("circle", { cx: node.x, cy: node.y, r: (5 + 7 * Math.sqrt(node.co_count / maxCo)).toFixed(1), fill: color(node.type), "data-related": node.slug }, s("title", { text: `${node.name}: named together in ${node.co_count} article(s)` })),
        s("text", { x: node.x + dx, y: node.y + (anchor === "middle" ? (node.y > mid ? 26 : -16) : 6), "text-anchor": anchor, text: shorten(node.name, 16) }),
      ),
    );
  }
  return graph;
}
