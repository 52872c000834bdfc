// Home: "what do I do today" per field — water, disease risk, harvest lock, sensors in words.
import { api } from "../api.js";
import { area, num, pick, t, time } from "../i18n.js";
import { el, notice, show } from "../ui.js";
import { farms, lockWords } from "./common.js";

const ICON = { bad: "!", warn: "!", ok: "✔", unknown: "?" };
const LEVEL_CLASS = { high: "bad", moderate: "warn", low: "ok", none: "ok", unknown: "unknown" };

function nodeWords(n, fieldName) {
  const who = t(n.kind === "weather" ? "node_weather" : "node_soil", { name: n.name, field: fieldName });
  return t("node_" + n.state, { who });
}

function adviceRow(cls, head, why) {
  return el("li", { class: `advice ${cls}` }, el("span", { class: "icon", "aria-hidden": "true" }, ICON[cls]),
    el("div", {}, el("strong", {}, head), why ? el("p", { class: "why" }, why) : null));
}

function fieldCard(f) {
  const d = f.today;
  const irr = d.irrigation;
  const water = irr.reason.includes("irrigate") && irr.reason !== "awd_keep_flooded" ? "bad" : irr.reason === "insufficient_data" ? "unknown" : "ok";
  const top = d.disease[0];
  const lock = d.harvest;
  const rows = [adviceRow(water, t("irr_" + irr.reason), pick(irr.text))];
  if (top) {
    rows.push(adviceRow(LEVEL_CLASS[top.level],
      t("risk_head", { disease: t("disease_" + top.disease), level: t("level_" + top.level) }), t("risk_why_" + top.level)));
  }
  rows.push(adviceRow(lock.locked ? "bad" : "ok", ...lockWords(lock)));
  const sensors = d.nodes.filter((n) => n.state !== "online").map((n) => el("li", { class: "sensor bad" }, nodeWords(n, f.name)));
  return el("article", { class: "card field" },
    el("h2", {}, f.name),
    el("p", { class: "muted" }, `${t("crop_" + f.crop)} · ${area(f.area)}`),
    el("ul", { class: "advice-list" }, rows),
    sensors.length ? el("ul", { class: "sensors" }, sensors) : el("p", { class: "muted" }, t("sensors_all_ok")),
    el("a", { class: "button", href: `#/field/${f.id}` }, t("open_field", { name: f.name })));
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
    ...(f.today.irrigation.reason === "irrigate" || f.today.irrigation.reason === "awd_irrigate" ? [t("alert_irrigate", { field: f.name })] : []),
    ...f.today.disease.filter((r) => r.level === "high").map((r) => t("alert_disease", { field: f.name, disease: t("disease_" + r.disease) })),
    ...f.today.nodes.filter((n) => n.state === "battery_low" || n.state === "offline").map((n) => nodeWords(n, f.name)),
  ]);
  show(...head,
    alerts.length ? el("section", { class: "alerts", "aria-labelledby": "alerts-h" },
      el("h2", { id: "alerts-h" }, t("alerts_title", { n: num(alerts.length, 0) })), el("ul", {}, alerts.map((a) => el("li", {}, a)))) : notice(t("no_alerts")),
    ...data.fields.map(fieldCard));
}
