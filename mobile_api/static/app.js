// Ruộng Số live dashboard: farms, fields and their sensors' latest readings, refreshed every 10 s.
"use strict";
const LANGS = ["vi", "en"];
let lang = localStorage.getItem("lang") || "vi";
let strings = {};
let last = null;

// Display units and decimals per channel; values arrive in SI units from the API.
const SHOW = {
  soil_vwc: { unit: "m³/m³", digits: 2 }, soil_temp: { unit: "°C", digits: 1 },
  air_temp: { unit: "°C", digits: 1 }, air_rh: { unit: "%", digits: 0 }, rain: { unit: "mm", digits: 1 },
  wind_speed: { unit: "m/s", digits: 1 }, battery: { unit: "V", digits: 2 }, water_level: { unit: "cm", digits: 1 },
};

function t(key, params = {}) {
  const s = strings[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));
}
function num(v, digits) {
  return new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB",
    { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}
function ago(s) {
  if (s < 90) return t("ago_s", { n: s });
  if (s < 5400) return t("ago_m", { n: Math.round(s / 60) });
  if (s < 172800) return t("ago_h", { n: Math.round(s / 3600) });
  return t("ago_d", { n: Math.round(s / 86400) });
}
function moistureClass(field) {
  const v = field.nodes.map((n) => n.values?.soil_vwc).filter((x) => x !== undefined);
  if (!v.length) return "none";
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return m < 0.2 ? "dry" : m > 0.4 ? "wet" : "ok";
}

async function loadStrings() {
  strings = await (await fetch(`/static/i18n/${lang}.json`)).json();
  document.documentElement.lang = lang;
  document.getElementById("lang").textContent = lang === "vi" ? "EN" : "VI";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
}

function drawMap(svg, fields) {
  const pts = fields.flatMap((f) => f.geometry.coordinates[0]);
  if (!pts.length) return;
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);  // equirectangular: shrink longitude
  const w = (x1 - x0) * k, h = y1 - y0, pad = Math.max(w, h) * 0.06;
  svg.setAttribute("viewBox", `${-pad} ${-pad} ${w + 2 * pad} ${h + 2 * pad}`);
  svg.replaceChildren();
  for (const f of fields) {
    const d = f.geometry.coordinates[0].map((p, i) =>
      `${i ? "L" : "M"}${((p[0] - x0) * k).toFixed(6)} ${(y1 - p[1]).toFixed(6)}`).join("") + "Z";
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    path.setAttribute("class", `field ${moistureClass(f)}`);
    path.setAttribute("vector-effect", "non-scaling-stroke");
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = `${f.name} — ${t("crop_" + f.crop)}`;
    path.append(title);
    path.addEventListener("click", () => openField(f));
    svg.append(path);
  }
}

function nodeLine(n) {
  const state = n.state === "sensor_fault"
    ? t("state_sensor_fault", { channels: Object.keys(n.faults).map((c) => t("ch_" + c)).join(", ") })
    : t("state_" + n.state);
  const li = el("li", { class: `node ${n.state}` }, el("strong", {}, t(n.kind === "weather" ? "node_weather" : "node", { name: n.name })), " · ", state);
  if (n.age_s !== undefined) li.append(" · ", t("last_seen", { ago: ago(n.age_s) }));
  const dl = el("dl", { class: "readings" });
  for (const [ch, spec] of Object.entries(SHOW)) {
    if (n.values?.[ch] === undefined && !n.faults?.[ch]) continue;
    const text = n.faults?.[ch] ? "—" : `${num(n.values[ch], spec.digits)} ${spec.unit}`;
    dl.append(el("div", {}, el("dt", {}, t("ch_" + ch)), el("dd", {}, text)));
  }
  li.append(dl);
  return li;
}

function render(data) {
  const root = document.getElementById("farms");
  root.replaceChildren();
  for (const farm of data.farms) {
    const sec = el("section", { class: "farm" }, el("h2", {}, farm.name),
      el("p", { class: "muted" }, t("farm_owner", { owner: farm.owner, commune: farm.commune })));
    const map = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    map.setAttribute("class", "map");
    map.setAttribute("role", "img");
    map.setAttribute("aria-label", `${t("map_title")}: ${farm.name}`);
    sec.append(map);
    drawMap(map, farm.fields);
    for (const f of farm.fields) {
      const btn = el("button", { type: "button", class: `field-card ${moistureClass(f)}` },
        el("span", { class: "title" }, `${f.name} — ${t("crop_" + f.crop)}`),
        el("span", { class: "muted" }, t("area", { sao: num(f.area.sao, 1), ha: num(f.area.ha, 2) })));
      btn.addEventListener("click", () => openField(f));
      sec.append(btn, el("ul", { class: "nodes" }, ...f.nodes.map(nodeLine)));
    }
    root.append(sec);
  }
  const time = new Date(data.time * 1000).toLocaleTimeString(lang === "vi" ? "vi-VN" : "en-GB");
  document.getElementById("status").textContent = t("updated", { time });
}

function sparkline(points, spec) {
  const vals = points.filter((p) => p.v !== null);
  if (vals.length < 2) return el("p", {}, t("no_data"));
  const ts = vals.map((p) => p.t), vs = vals.map((p) => p.v);
  const [t0, t1, v0, v1] = [Math.min(...ts), Math.max(...ts), Math.min(...vs), Math.max(...vs)];
  const W = 320, H = 90, sx = (x) => ((x - t0) / (t1 - t0 || 1)) * W, sy = (y) => H - ((y - v0) / (v1 - v0 || 1)) * (H - 10) - 5;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "spark");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", vals.map((p, i) => `${i ? "L" : "M"}${sx(p.t).toFixed(1)} ${sy(p.v).toFixed(1)}`).join(""));
  svg.append(path);
  const cap = el("p", { class: "muted" }, `${num(v0, spec.digits)} – ${num(v1, spec.digits)} ${spec.unit}`);
  return el("div", {}, svg, cap);
}

async function openField(f) {
  const dlg = document.getElementById("detail");
  document.getElementById("detail-title").textContent = `${f.name} — ${t("crop_" + f.crop)}`;
  const charts = document.getElementById("charts");
  charts.replaceChildren(el("p", {}, t("loading")));
  dlg.showModal();
  const blocks = [];
  for (const n of f.nodes) {
    for (const ch of ["soil_vwc", "air_temp"]) {
      const r = await fetch(`/api/v1/nodes/${n.id}/series?channel=${ch}&hours=24`);
      if (!r.ok) continue;
      const data = await r.json();
      if (!data.points.length) continue;
      blocks.push(el("h3", {}, `${t(n.kind === "weather" ? "node_weather" : "node", { name: n.name })} · ${t("ch_" + ch)} · ${t("chart_24h")}`),
        sparkline(data.points, SHOW[ch]));
    }
  }
  charts.replaceChildren(...(blocks.length ? blocks : [el("p", {}, t("no_data"))]));
}

async function refresh() {
  try {
    const r = await fetch("/api/v1/overview", { cache: "no-store" });
    if (!r.ok) throw new Error(r.status);
    last = await r.json();
    render(last);
  } catch {
    document.getElementById("status").textContent = t("offline_error");
  }
}

document.getElementById("lang").addEventListener("click", async () => {
  lang = LANGS[(LANGS.indexOf(lang) + 1) % LANGS.length];
  localStorage.setItem("lang", lang);
  await loadStrings();
  if (last) render(last);
});
loadStrings().then(refresh);
setInterval(refresh, 10000);
