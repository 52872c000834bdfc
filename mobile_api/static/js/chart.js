// A small line chart in SVG: time on x, value on y, min/max and start/end labelled; and how a channel
// of the server's catalogue (GET /api/v1/channels: unit, scale, digits, aggregation) becomes points.
import { api } from "./api.js";
import { num } from "./i18n.js";
import { el, svg } from "./ui.js";

let catalogue = null;

// The channel catalogue, read once per page load (the service worker keeps the last answer offline).
export async function channels() {
  if (!catalogue) catalogue = (await api("/api/v1/channels")).data.channels;
  return catalogue;
}

// One stored row (raw point or rollup bucket) as the value to draw, in the channel's display unit.
export function pointValue(channel, p) {
  const v = channel.aggregation === "sum" ? (p.sum ?? p.v) : (p.mean ?? p.v);
  return v === null || v === undefined ? null : v * channel.display_scale;
}

export function lineChart(points, { unit, digits, label, fmtTime }) {
  const vals = points.filter((p) => p.v !== null && p.v !== undefined);
  if (vals.length < 2) return null;
  const ts = vals.map((p) => p.t), vs = vals.map((p) => p.v);
  const [t0, t1, v0, v1] = [Math.min(...ts), Math.max(...ts), Math.min(...vs), Math.max(...vs)];
  const W = 340, H = 120, P = 4;
  const sx = (x) => P + ((x - t0) / (t1 - t0 || 1)) * (W - 2 * P);
  const sy = (y) => H - P - ((y - v0) / (v1 - v0 || 1)) * (H - 2 * P);
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
  g.append(svg("path", { d: vals.map((p, i) => `${i ? "L" : "M"}${sx(p.t).toFixed(1)} ${sy(p.v).toFixed(1)}`).join("") }));
  return el("figure", {}, g, el("figcaption", {},
    el("span", {}, `${fmtTime(t0)} – ${fmtTime(t1)}`),
    el("span", {}, `${num(v0, digits)} – ${num(v1, digits)} ${unit}`)));
}
