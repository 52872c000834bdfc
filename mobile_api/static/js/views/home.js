// Home: "what do I do today" per field — water, disease risk, harvest lock, sensors in words.
import { api } from "../api.js";
import { area, date, num, pick, t, time } from "../i18n.js";
import { el, notice, show } from "../ui.js";
import { readAloud } from "../speak.js";
import { farms, harvestRow, irrigationPlan } from "./common.js";

const ICON = { bad: "!", warn: "!", ok: "✔", unknown: "?" };
const LEVEL_CLASS = { high: "bad", moderate: "warn", low: "ok", none: "ok", unknown: "unknown" };

function nodeWords(n, fieldName) {
  const who = t(n.kind === "weather" ? "node_weather" : "node_soil", { name: n.name, field: fieldName });
  return t("node_" + n.state, { who });
}

function adviceRow(cls, head, why) {
  return el("li", { class: `advice ${cls}` }, el("span", { class: "icon", "aria-hidden": "true" }, ICON[cls]),
    el("div", {}, el("strong", {}, head), why ? el(typeof why === "string" ? "p" : "div", { class: "why" }, why) : null));
}

function fieldCard(f) {
  const d = f.today;
  const irr = d.irrigation;
  const water = irr.plan.status === "hold_for_rain" ? "warn" : irr.reason.includes("irrigate") && irr.reason !== "awd_keep_flooded" ? "bad" : irr.reason === "insufficient_data" ? "unknown" : "ok";
  const top = d.disease[0];
  const lock = d.harvest;
  const irrHead = irr.plan.status === "hold_for_rain" ? t("irr_hold_for_rain") : t("irr_" + irr.reason);
  const rows = [adviceRow(water, irrHead, irrigationPlan(d))];
  if (top) {
    rows.push(adviceRow(LEVEL_CLASS[top.level],
      t("risk_head", { disease: t("disease_" + top.disease), level: t("level_" + top.level) }), t("risk_why_" + top.level)));
  }
  const [harvestOk, head, why] = harvestRow(lock, d.lot_gate);
  rows.push(adviceRow(harvestOk ? "ok" : "bad", head, why));
  const sensors = d.nodes.filter((n) => n.state !== "online").map((n) => el("li", { class: "sensor bad" }, nodeWords(n, f.name)));
  return readAloud(el("article", { class: "card field" },
    el("h2", {}, f.name),
    el("p", { class: "muted" }, `${t("crop_" + f.crop)} · ${area(f.area)}`),
    el("ul", { class: "advice-list" }, rows),
    sensors.length ? el("ul", { class: "sensors" }, sensors) : el("p", { class: "muted" }, t("sensors_all_ok")),
    el("a", { class: "button", href: `#/field/${f.id}` }, t("open_field", { name: f.name }))));
}

// Area alerts an officer sent to this farm's fields, and the officer's replies to its photos
// (every review state has its words on the photo screen; home shows the ones that need the farmer).
const SEVERITY_CLASS = { urgent: "bad", warning: "warn", info: "ok" };
const SEVERITY_WORD = { urgent: () => t("area_alert_urgent"), warning: () => t("area_alert_warning"), info: () => t("area_alert_info") };

async function officerNews(farmId, fields) {
  const names = new Map(fields.map((f) => [f.id, f.name]));
  const [alerts, replies] = await Promise.all([
    api("/api/v1/alerts").then((r) => r.data.alerts).catch(() => []),
    api(`/api/v1/app/diagnoses/updates?farm=${farmId}`).then((r) => r.data.diagnoses).catch(() => []),
  ]);
  const mine = alerts.filter((a) => a.field_ids.some((id) => names.has(id)));
  const out = [];
  if (mine.length) {
    out.push(el("section", { class: "area-alerts", "aria-labelledby": "area-alerts-h" },
      el("h2", { id: "area-alerts-h" }, t("home_area_alerts")),
      el("ul", { class: "advice-list" }, mine.map((a) => readAloud(el("li", { class: `advice ${SEVERITY_CLASS[a.severity] || "warn"} area-alert` },
        el("span", { class: "icon", "aria-hidden": "true" }, "!"),
        el("div", {}, el("strong", {}, `${(SEVERITY_WORD[a.severity] || SEVERITY_WORD.warning)()}: ${pick(a.title) || pick(a.message)}`),
          a.title ? el("p", { class: "why" }, pick(a.message)) : null,
          el("p", { class: "why" }, t("area_alert_fields", { fields: a.field_ids.filter((id) => names.has(id)).map((id) => names.get(id)).join(", ") })),
          el("p", { class: "muted" }, t("area_alert_until", { date: date(new Date(a.expires_at * 1000).toISOString()) })))))))));
  }
  if (replies.length) {
    const words = {
      more_photos_requested: (d, field) => t("home_dx_more_photos", { field, note: d.review.note || "" }),
      confirmed: (d, field) => t("home_dx_confirmed", { field, disease: pick(d.review.label_name) }),
      corrected: (d, field) => d.review.outcome
        ? t("home_dx_outcome_" + d.review.outcome, { field })
        : t("home_dx_corrected", { field, disease: pick(d.review.label_name) }),
    };
    const open = (d) => () => { localStorage.setItem("field", String(d.field_id)); };
    out.push(readAloud(el("section", { class: "dx-replies", "aria-labelledby": "dx-replies-h" },
      el("h2", { id: "dx-replies-h" }, t("home_dx_title")),
      el("ul", { class: "advice-list" }, replies.map((d) => {
        // the farmer has something to do: photos asked for, or an answer that is no disease
        const act = d.review.status === "more_photos_requested" || Boolean(d.review.outcome);
        return el("li", { class: `advice ${act ? "warn" : "ok"} dx-reply`, "data-state": d.review.status },
        el("span", { class: "icon", "aria-hidden": "true" }, act ? "!" : "✔"),
        el("div", {}, el("strong", {}, (words[d.review.status] || words.confirmed)(d, d.field_name)),
          el("a", { href: "#/photo", onclick: open(d) }, t("home_dx_open"))));
      })))));
  }
  return out;
}

export async function render() {
  const all = await farms();
  const farmId = Number(localStorage.getItem("farm")) || all[0]?.id;
  const { data, cached } = await api(`/api/v1/app/home?farm=${farmId}`);
  const head = [];
  if (all.length > 1) {
    const sel = el("select", { id: "farm", onchange: () => { localStorage.setItem("farm", sel.value); render(); } },
      all.map((fm) => el("option", { value: fm.id, selected: fm.id === data.farm.id }, fm.name)));
    head.push(el("div", { class: "ctl" }, el("label", { for: "farm" }, t("pick_farm")), sel));
  } else head.push(el("h2", { class: "farm-name" }, data.farm.name));
  head.push(el("p", { class: "muted" }, t(cached ? "data_from_cache" : "updated", { time: time(data.time) })));
  const alerts = data.fields.flatMap((f) => [
    ...(f.today.irrigation.plan.status === "irrigate" ? [t("alert_irrigate", { field: f.name })] : []),
    ...f.today.disease.filter((r) => r.level === "high").map((r) => t("alert_disease", { field: f.name, disease: t("disease_" + r.disease) })),
    ...f.today.nodes.filter((n) => n.state === "battery_low" || n.state === "offline").map((n) => nodeWords(n, f.name)),
  ]);
  const news = await officerNews(data.farm.id, data.fields);
  const urgent = alerts.length ? [readAloud(el("section", { class: "alerts", "aria-labelledby": "alerts-h" },
    el("h2", { id: "alerts-h" }, t("alerts_title", { n: num(alerts.length, 0) })), el("ul", {}, alerts.map((a) => el("li", {}, a)))))] : [];
  // "Nothing urgent today" only when the officer has not written either.
  show(...head, ...news, ...(urgent.length || news.length ? urgent : [notice(t("no_alerts"))]), ...data.fields.map(fieldCard));
}
