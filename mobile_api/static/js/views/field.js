// Field page: current soil moisture, temperature and rain, yesterday's field day (ET0, rain, GDD),
// the season (crop, planting date: the registry's planting record, editable by the farm's owner),
// charts for 24 h / 7 d / season of the catalogue's chart channels, the field's shape.
import { api } from "../api.js";
import { channels, lineChart, pointValue } from "../chart.js";
import { area, date, getLang, num, parseDate, pick, t } from "../i18n.js";
import { readAloud } from "../speak.js";
import { localClock, localDay } from "../timezone.js";
import { el, field, notice, show, svg } from "../ui.js";
import { irrigationPlan } from "./common.js";
import { forecastCard } from "./forecast.js";

const RANGES = { "24h": 24, "7d": 168, season: 744 };

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
  for (const ch of (await channels()).filter((c) => c.chart)) {
    const kind = ch.chart;
    const node = f.nodes.find((n) => n.kind === kind) || (kind === "soil" ? f.nodes[0] : null);
    if (!node) continue;
    // Soil: the whole field (all its probes in one series, the server's per-field rollups), so a
    // field with several probes shows its mean, not whichever probe comes first. Weather: the
    // field's station. The server picks the resolution (raw, hourly or daily) for the range.
    const source = kind === "soil" && probes > 1 ? `/api/v1/fields/${f.id}` : `/api/v1/nodes/${node.id}`;
    const { data } = await api(`${source}/readings?channel=${ch.key}&hours=${RANGES[range]}&resolution=auto`);
    const rows = data.points || data.items || data.readings || [];
    const pts = rows.map((p) => ({ t: p.t, v: pointValue(ch, p) }));
    const fmtTime = (s) => (range === "24h" ? localClock(s * 1000) : date(localDay(s * 1000)));
    const name = t(ch.label_key);
    const chart = lineChart(pts, { unit: ch.display_unit, digits: ch.digits, label: `${name} — ${t("range_" + range)}`, fmtTime });
    const title = kind === "soil" && probes > 1 ? `${name} · ${t("whole_field", { n: probes })}` : name;
    blocks.push(el("h3", {}, title), chart || el("p", { class: "muted" }, t("no_data")));
  }
  box.replaceChildren(...blocks);
}

// Yesterday's whole day, as the daily job stores it (the same field-day service on the server).
function fieldDay(days) {
  const d = days && days.length > 1 ? days[0] : null;
  if (!d) return null;
  const mm = (v) => (v == null ? "—" : `${num(v, 1)} mm`);
  return el("section", { class: "field-day" },
    el("h3", {}, t("field_day_yesterday", { day: date(d.day) })),
    el("div", { class: "tiles" },
      tile(t("et0"), mm(d.et0_mm)), tile(t("etc"), mm(d.etc_mm)), tile(t("ch_rain"), mm(d.rain_mm)),
      tile(t("gdd"), d.gdd == null ? "—" : `${num(d.gdd, 1)} °C·${t("day_short")}`),
      tile(t("leaf_wet_h"), d.leaf_wet_h == null ? "—" : t("n_hours", { n: num(d.leaf_wet_h, 0) }))));
}

// The season profile: shown to everyone who sees the field, editable by the farm's owner. Crop,
// date, variety and duration go to the registry's planting record (audited); market, soil,
// irrigation method and pump flow to the field's profile. Until saved, the advice says what it assumed.
function season(f, onSaved) {
  const s = f.today.season;
  const sp = f.season_profile;
  const known = (f.crops || []).find((c) => c.key === s.crop);
  const when = s.planting_date
    ? t(sp.date_kind === "transplanted" ? "transplanted_on" : "planted_on", { day: date(s.planting_date) })
    : t("planting_not_recorded");
  const line = el("p", {}, `${known ? pick(known.names) : s.crop} · ${when}`);
  const box = el("section", { class: "season" }, el("h3", {}, t("season")), line,
    sp.confirmed ? null : el("p", { class: "notice info profile-unconfirmed" }, t("profile_unconfirmed")));
  if (!f.can_edit_season) return box;
  const options = (values, label, selected) => values.map((v) => el("option", { value: v, selected: v === selected }, label(v)));
  const crop = el("select", { name: "crop" },
    (f.crops || []).map((c) => el("option", { value: c.key, selected: c.key === s.crop }, pick(c.names))));
  const kind = el("select", { name: "date_kind" }, options(["sown", "transplanted"], (v) => t("date_kind_" + v), sp.date_kind));
  const day = el("input", { name: "planting_date", inputmode: "numeric", placeholder: t("date_placeholder"),
    value: s.planting_date ? date(s.planting_date) : "" });
  const variety = el("input", { name: "variety", value: sp.variety || "", maxlength: 100 });
  const duration = el("input", { name: "duration_days", inputmode: "numeric", value: sp.duration_days ?? "" });
  // The planned harvest (what the forecast card checks a spray's PHI against): a day the farmer
  // names, or worked out from the duration. Changing one clears the other, so the two never disagree.
  const harvest = el("input", { name: "expected_harvest", inputmode: "numeric", placeholder: t("date_placeholder"),
    value: sp.expected_harvest ? date(sp.expected_harvest) : "" });
  duration.addEventListener("input", () => { harvest.value = ""; });
  harvest.addEventListener("input", () => { duration.value = ""; });
  const soil = el("select", { name: "soil_texture" }, el("option", { value: "" }, t("choose")),
    options(sp.choices.soil_texture, (v) => (v === "unknown" ? t("soil_unknown") : pick(sp.soil_names[v])), sp.soil_texture));
  const method = el("select", { name: "irrigation_method" }, el("option", { value: "" }, t("choose")),
    options(sp.choices.irrigation_method, (v) => t("method_" + v), sp.irrigation_method));
  const pump = el("input", { name: "pump_rate_m3h", inputmode: "decimal", value: sp.pump_rate_m3h == null ? "" : num(sp.pump_rate_m3h, 1, false) });
  const market = el("select", { name: "market" }, options(sp.choices.market, (v) => t("market_" + v), sp.market));
  const status = el("div", { "aria-live": "polite" });
  const number = (input) => {
    if (!input.value.trim()) return null;
    const v = Number(input.value.trim().replace(",", "."));
    return Number.isFinite(v) ? v : input.value;  // the server says why it is not a number
  };
  const form = el("form", { class: "season-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const planted = day.value.trim() ? parseDate(day.value) : null;
    if (day.value.trim() && !planted) { status.replaceChildren(notice(t("date_invalid"), "error")); return; }
    const harvestOn = harvest.value.trim() ? parseDate(harvest.value) : null;
    if (harvest.value.trim() && !harvestOn) { status.replaceChildren(notice(t("date_invalid"), "error")); return; }
    const body = { crop: crop.value, date_kind: kind.value, planting_date: planted, variety: variety.value,
      duration_days: number(duration), expected_harvest: harvestOn, soil_texture: soil.value || null, irrigation_method: method.value || null,
      pump_rate_m3h: number(pump), market: market.value };
    try {
      await api(`/api/v1/app/fields/${f.id}/season-profile`, { method: "PUT", body });
      status.replaceChildren(notice(t("season_saved")));
      onSaved();
    } catch (e) {
      // offline or refused: nothing changed; the server's reason when it gave one
      status.replaceChildren(notice(`${t("season_not_saved")} ${e?.body?.detail || ""}`.trim(), "error"));
    }
  } }, field(t("crop"), crop), field(t("date_kind"), kind), field(t("planting_date"), day),
  field(t("variety"), variety), field(t("duration_days"), duration, t("duration_hint")),
  field(t("expected_harvest"), harvest, t("expected_harvest_hint")),
  field(t("soil_texture"), soil, t("soil_hint")), field(t("irrigation_method"), method),
  field(t("pump_rate"), pump, t("pump_hint")), field(t("market"), market),
  el("button", { type: "submit" }, t("save")), status);
  box.append(form);
  return box;
}

// Today's irrigation as steps of the field's method, with its confidence and assumptions.
function irrigationCard(f) {
  const irr = f.today.irrigation;
  const head = irr.plan.status === "hold_for_rain" ? t("irr_hold_for_rain") : t("irr_" + irr.reason);
  return readAloud(el("section", { class: "card irrigation" }, el("h3", {}, t("irrigation_today")),
    el("strong", {}, head), irrigationPlan(f.today)));
}

// The season table (daily water balance, rain, ET0, GDD, sprays, risk) for the farmer's spreadsheet.
function seasonTable(f) {
  const link = (format) => el("a", { class: "button", download: "",
    href: `/api/v1/app/fields/${f.id}/season-table?format=${format}&lang=${getLang()}` }, t("season_table_" + format));
  return el("section", { class: "season-table" }, el("h3", {}, t("season_table")),
    el("p", { class: "muted" }, t("season_table_hint")), el("p", { class: "links" }, link("csv"), link("xlsx")));
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
    irrigationCard(f),
    forecastCard(f),
    fieldDay(f.today.field_days),
    season(f, () => render(id)),
    seasonTable(f),
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
