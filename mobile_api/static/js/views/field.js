// Field page: current soil moisture, temperature and rain, charts for 24 h / 7 d / season, the field's shape.
import { api } from "../api.js";
import { lineChart } from "../chart.js";
import { area, date, num, t } from "../i18n.js";
import { el, show, svg } from "../ui.js";

const RANGES = { "24h": 24, "7d": 168, season: 744 };
const CHANNELS = [["soil", "soil_vwc", "%", 0, 100], ["weather", "air_temp", "°C", 1, 1], ["weather", "rain", "mm", 1, 1]];

function shape(geometry, name) {
  const ring = geometry.coordinates[0];
  const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // Degrees are tiny numbers: scale the shape to 1000 units across so the SVG stays well-conditioned.
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180), u = 1000 / Math.max((x1 - x0) * k, y1 - y0, 1e-9);
  const w = (x1 - x0) * k * u, h = (y1 - y0) * u, pad = Math.max(w, h) * 0.08;
  const s = svg("svg", { viewBox: `${(-pad).toFixed(1)} ${(-pad).toFixed(1)} ${(w + 2 * pad).toFixed(1)} ${(h + 2 * pad).toFixed(1)}`,
    class: "shape", role: "img", "aria-label": t("field_shape", { name }) });
  s.append(svg("path", { "vector-effect": "non-scaling-stroke",
    d: ring.map((p, i) => `${i ? "L" : "M"}${((p[0] - x0) * k * u).toFixed(1)} ${((y1 - p[1]) * u).toFixed(1)}`).join("") + "Z" }));
  return s;
}

function tile(label, value) {
  return el("div", { class: "tile" }, el("span", { class: "muted" }, label), el("strong", {}, value));
}

async function charts(f, range, box) {
  const blocks = [];
  const probes = f.nodes.filter((n) => n.kind === "soil").length;
  for (const [kind, ch, unit, digits, scale] of CHANNELS) {
    const node = f.nodes.find((n) => n.kind === kind) || (kind === "soil" ? f.nodes[0] : null);
    if (!node) continue;
    // Soil: the whole field (all its probes in one series, the server's per-field rollups), so a
    // field with several probes shows its mean, not whichever probe comes first. Weather: the
    // field's station. The server picks the resolution (raw, hourly or daily) for the range.
    const source = kind === "soil" && probes > 1 ? `/api/v1/fields/${f.id}` : `/api/v1/nodes/${node.id}`;
    const { data } = await api(`${source}/readings?channel=${ch}&hours=${RANGES[range]}&resolution=auto`);
    const rows = data.points || data.items || data.readings || [];
    const pts = rows.map((p) => {
      const v = ch === "rain" ? (p.sum ?? p.v) : (p.mean ?? p.v);
      return { t: p.t, v: v == null ? null : v * scale };
    });
    const fmtTime = (s) => (range === "24h" ? new Date(s * 1000).toTimeString().slice(0, 5) : date(new Date(s * 1000 + 7 * 3600e3).toISOString()));
    const chart = lineChart(pts, { unit, digits, label: `${t("ch_" + ch)} — ${t("range_" + range)}`, fmtTime });
    const title = kind === "soil" && probes > 1 ? `${t("ch_" + ch)} · ${t("whole_field", { n: probes })}` : t("ch_" + ch);
    blocks.push(el("h3", {}, title), chart || el("p", { class: "muted" }, t("no_data")));
  }
  box.replaceChildren(...blocks);
}

export async function render(id) {
  const { data: f } = await api(`/api/v1/app/fields/${id}`);
  const r = f.today.readings;
  const box = el("div", { class: "charts", "aria-live": "polite" });
  const buttons = Object.keys(RANGES).map((key) => el("button", { type: "button", "aria-pressed": key === "24h" ? "true" : "false",
    onclick: (ev) => {
      for (const b of buttons) b.setAttribute("aria-pressed", b === ev.currentTarget ? "true" : "false");
      charts(f, key, box);
    } }, t("range_" + key)));
  show(
    el("h2", {}, f.name),
    el("p", { class: "muted" }, `${t("crop_" + f.crop)} · ${area(f.area)}`),
    el("div", { class: "tiles" },
      tile(t("ch_soil_vwc"), r.soil_vwc == null ? "—" : `${num(r.soil_vwc * 100, 0)} %`),
      tile(t("ch_soil_temp"), r.soil_temp == null ? "—" : `${num(r.soil_temp, 1)} °C`),
      tile(t("ch_air_temp"), r.air_temp == null ? "—" : `${num(r.air_temp, 1)} °C`),
      tile(t("rain_24h"), r.rain_24h == null ? "—" : `${num(r.rain_24h, 1)} mm`)),
    el("p", { class: "links" }, el("a", { class: "button", href: "#/photo" }, t("tab_photo")), el("a", { class: "button", href: "#/diary" }, t("tab_diary"))),
    el("h3", {}, t("field_map")),
    shape(f.geometry, f.name),
    // The charts come last: they arrive after the page is drawn and must not push anything down.
    el("h3", {}, t("charts")),
    el("div", { class: "ranges", role: "group", "aria-label": t("chart_range") }, buttons),
    box);
  localStorage.setItem("field", f.id);
  await charts(f, "24h", box);
}
