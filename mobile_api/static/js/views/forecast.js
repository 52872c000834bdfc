// The weather ahead for one field (GET /api/v1/fields/<id>/forecast): the next days, the rain the
// irrigation advice counts on, disease risk for the next three days and the good hours to spray —
// with the pre-harvest interval of the product the farmer means to use against the planned harvest
// and the field's market. Without a forecast it says "Không có dự báo" and the rest of the screen
// (today's advice from the field's own readings) is unchanged.
import { api } from "../api.js";
import { date, num, t } from "../i18n.js";
import { readAloud } from "../speak.js";
import { localDay } from "../timezone.js";
import { el, field } from "../ui.js";

const LEVEL_CLASS = { high: "bad", moderate: "warn", low: "ok", none: "ok", unknown: "unknown" };
const ICON = { bad: "!", warn: "!", ok: "✔", unknown: "?" };

function row(cls, head, why) {
  return el("li", { class: `advice ${cls}` }, el("span", { class: "icon", "aria-hidden": "true" }, ICON[cls]),
    el("div", {}, el("strong", {}, head), why ? el("p", { class: "why" }, why) : null));
}

// "Hôm nay", "Ngày mai" or dd/mm/yyyy for a forecast day (the farm's days, not the phone's).
function dayName(iso) {
  const today = localDay(Date.now());
  const tomorrow = localDay(Date.now() + 86400000);
  return iso === today ? t("fc_today") : iso === tomorrow ? t("fc_tomorrow") : date(iso);
}

function sourceLine(fc) {
  if (fc.status === "fresh") return el("p", { class: "muted fc-source" }, t("fc_fresh", { age: ageWords(fc.age_s) }));
  if (fc.status === "stale") return el("p", { class: "notice warn fc-source" }, t("fc_stale", { age: ageWords(fc.age_s) }));
  return el("p", { class: "notice fc-none" }, `${t("fc_none")} — ${t(fc.status === "off" ? "fc_none_off" : "fc_none_down")}`);
}

function ageWords(s) {
  if (s == null || s < 3600) return t("fc_age_min", { n: num(Math.max(0, Math.round((s || 0) / 60)), 0) });
  return t("fc_age_h", { n: num(s / 3600, 0) });
}

function days(list) {
  return el("ul", { class: "advice-list fc-days" }, list.map((d) => el("li", { class: "fc-day" },
    el("strong", {}, `${dayName(d.day)}: `),
    t("fc_day", {
      tmin: num(d.tmin_c, 0), tmax: num(d.tmax_c, 0),
      rain: d.rain_mm == null ? "—" : num(d.rain_mm, 1),
      prob: d.rain_probability_pct == null ? "—" : num(d.rain_probability_pct, 0),
      wind: d.wind_max_m_s == null ? "—" : num(d.wind_max_m_s, 1),
    }))));
}

// The rain ahead; whether to hold watering is the irrigation plan's decision (today's advice), which
// already counts the likely rain: the card only repeats it, never decides a second time.
function rainRow(rain, plan) {
  const d = rain.next_24h;
  const head = d.rain_mm > 0
    ? t("fc_rain_24h", { mm: num(d.rain_mm, 1), prob: d.probability_pct == null ? "—" : num(d.probability_pct, 0) })
    : t("fc_rain_none");
  if (plan && plan.status === "hold_for_rain") return row("warn", head, t("fc_rain_hold"));
  if (d.counted_mm > 0) return row("warn", head, t("fc_rain_counted"));
  return row("ok", head, d.rain_mm > 0 ? t("fc_rain_unlikely", { pct: num(rain.likely_pct, 0) }) : "");
}

const RANK = { none: 0, low: 1, unknown: 1, moderate: 2, high: 3 };

// One row per disease: its worst level over the next days, and each day's level in words.
function riskRows(risk) {
  const byDisease = new Map();
  for (const d of risk) for (const r of d.diseases) {
    if (!byDisease.has(r.disease)) byDisease.set(r.disease, []);
    byDisease.get(r.disease).push([d.day, r.level]);
  }
  return [...byDisease].map(([disease, days]) => {
    const worst = days.reduce((a, [, level]) => (RANK[level] > RANK[a] ? level : a), days[0][1]);
    return row(LEVEL_CLASS[worst] || "unknown",
      t("fc_risk_head", { disease: t("disease_" + disease), level: t("level_" + worst) }),
      days.map(([day, level]) => `${dayName(day)}: ${t("level_" + level)}`).join(" · "));
  });
}

function clock(iso) { return iso.slice(11, 16); }

function phiWords(phi, market) {
  if (!phi) return "";
  if (phi.flag === "phi_unknown") return t("fc_phi_unknown");
  const base = { days: num(phi.phi_days, 0), safe: date(phi.safe_from), harvest: date(phi.harvest_on), market };
  if (phi.flag === "phi_past_harvest") return t("fc_phi_past_harvest", base);
  return phi.harvest_on ? t("fc_phi_ok", base) : t("fc_phi_no_harvest", base);
}

function sprayBlock(f, body, reload) {
  const s = body.spray;
  const market = t("market_" + body.market);
  const lim = s.limits;
  const rows = s.windows.map((w) => row(w.flagged ? "bad" : "ok",
    t("fc_window", { day: dayName(w.start.slice(0, 10)), from: clock(w.start), to: clock(w.end),
      wind: num(w.wind_max_m_s, 1), temp: num(w.temp_max_c, 0) }),
    phiWords(w.phi, market)));
  if (!rows.length && body.forecast.status !== "off" && body.days.length) {
    const b = s.blocked_hours || {};
    rows.push(row("warn", t("fc_no_window"), t("fc_no_window_why", { wind: num(b.wind || 0, 0), rain: num(b.rain || 0, 0), heat: num(b.heat || 0, 0) })));
  }
  // The product the farmer means to spray: its pre-harvest interval is checked for every window.
  const product = el("select", { name: "product" }, el("option", { value: "" }, t("fc_product_none")));
  const phi = el("input", { name: "phi_days", inputmode: "numeric", size: "4", value: s.phi_days ?? "" });
  api(`/api/v1/app/fields/${f.id}/catalogue`).then(({ data }) => {
    for (const p of data.products.filter((x) => x.for_crop)) {
      product.append(el("option", { value: p.id, selected: s.product && s.product.id === p.id }, p.name));
    }
  }).catch(() => {});
  const form = el("form", { class: "fc-plan", onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (product.value) q.set("product", product.value);
    if (/^\d{1,3}$/.test(phi.value.trim())) q.set("phi_days", phi.value.trim());
    reload(q.toString());
  } }, field(t("fc_product"), product), field(t("fc_phi_label"), phi, t("fc_phi_hint")),
  el("button", { type: "submit" }, t("fc_check")));
  return el("section", { class: "fc-spray" },
    el("h4", {}, t("fc_spray_title")),
    el("p", { class: "muted" }, t("fc_spray_rule", { wind: num(lim.wind_max_m_s, 1), hours: num(lim.rain_free_hours, 0), temp: num(lim.temp_max_c, 0) })),
    s.harvest_on ? el("p", { class: "muted" }, t("fc_harvest_planned", { date: date(s.harvest_on), market })) : null,
    el("ul", { class: "advice-list" }, rows), form);
}

async function fill(f, box, query) {
  let body;
  try {
    body = (await api(`/api/v1/fields/${f.id}/forecast${query ? "?" + query : ""}`)).data;
  } catch {
    box.replaceChildren(el("h3", {}, t("fc_title")), el("p", { class: "notice fc-none" }, `${t("fc_none")} — ${t("fc_none_offline")}`));
    return;
  }
  const parts = [el("h3", {}, t("fc_title")), sourceLine(body.forecast)];
  if (body.days.length) {
    parts.push(days(body.days));
    const advice = [];
    if (body.rain) advice.push(rainRow(body.rain, f.today?.irrigation?.plan));
    advice.push(...riskRows(body.risk));
    parts.push(el("h4", {}, t("fc_advice_title")), el("ul", { class: "advice-list" }, advice));
  } else {
    parts.push(el("p", { class: "muted" }, t("fc_none_advice")));
  }
  if (body.days.length) parts.push(sprayBlock(f, body, (q) => fill(f, box, q)));
  box.replaceChildren(...parts);
  readAloud(box);
}

// The card, drawn at once and filled when the forecast arrives (it never holds up the field screen).
export function forecastCard(f) {
  const box = el("section", { class: "card forecast", "aria-live": "polite" }, el("h3", {}, t("fc_title")), el("p", { class: "muted" }, t("fc_loading")));
  fill(f, box, "");
  return box;
}
