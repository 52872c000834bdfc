// Pieces several screens share: the field picker, the outbox state of an item, the harvest lock and
// the lot gate in words (home, diary and harvest say the same thing about the same field).
import { api } from "../api.js";
import { area, date, pick, t } from "../i18n.js";
import { readAloud } from "../speak.js";
import { el, field, notice } from "../ui.js";

// The harvest lock in words, [headline, why], for home, diary and harvest alike. A spray whose
// pre-harvest interval is unknown keeps the field locked with no safe date (``phi_unknown``).
export function lockWords(lock) {
  if (!lock.locked) return [t("harvest_ok"), lock.safe_from ? t("harvest_ok_since", { date: date(lock.safe_from) }) : ""];
  const why = { product: lock.product_name, date: date(lock.applied_on) };
  if (lock.phi_unknown) return [t("harvest_locked_unknown"), t("harvest_unknown_why", why)];
  return [t("harvest_locked_until", { date: date(lock.safe_from) }), t("harvest_locked_why", { ...why, days: lock.phi_days })];
}

// One refusal reason of the lot gate in words; interval reasons use the harvest lock's own wording.
export function reasonText(r) {
  const p = r.params || {};
  if (r.code === "phi_running" || r.code === "phi_unknown") {
    const lock = { locked: true, phi_unknown: r.code === "phi_unknown", safe_from: p.safe_from,
      product_name: p.product, applied_on: p.date, phi_days: p.days };
    return lockWords(lock).join(" — ");
  }
  return r.keys.map((k) => t(k, { ...p, date: date(p.date), safe_from: date(p.safe_from),
    market: p.market ? t("market_" + p.market) : "" })).join(" — ");
}

export function refusal(reasons, head = "lot_refused_head") {
  return readAloud(el("div", { class: "notice error refusal", role: "alert" },
    el("strong", {}, t(head)),
    el("ul", {}, reasons.map((r) => el("li", { "data-code": r.code }, reasonText(r))))));
}

// The field's harvest state: the lock while an interval runs; once it is over, the lot gate's
// refusal when a recorded spray still stops the lot (a banned active), never a green "harvest".
export function lockLine(lock, gate) {
  if (!lock.locked && gate && !gate.allowed) return refusal(gate.reasons, "lot_gate_blocked");
  if (!lock.locked) return readAloud(notice(lock.safe_from ? t("harvest_ok_since", { date: date(lock.safe_from) }) : t("harvest_ok"), "ok"));
  const [head, why] = lockWords(lock);
  return readAloud(notice(`${head} — ${why}`, "error"));
}

// The home card's harvest row, [ok, headline, why]: a banned or unapproved spray stops the lot even
// after every interval has ended, so the gate's first reason is shown instead of a green "harvest".
export function harvestRow(lock, gate) {
  if (!lock.locked && gate && !gate.allowed) return [false, t("lot_gate_blocked"), reasonText(gate.reasons[0])];
  return [!lock.locked, ...lockWords(lock)];
}

let farmsCache = null;
export async function farms() {
  farmsCache ??= (await api("/api/v1/app/farms")).data.farms;
  return farmsCache;
}

export function currentFieldId(all) {
  const ids = all.flatMap((f) => f.fields.map((x) => x.id));
  const saved = Number(localStorage.getItem("field"));
  return ids.includes(saved) ? saved : ids[0];
}

export async function fieldPicker(onChange) {
  const all = await farms();
  const current = currentFieldId(all);
  let shown = current;
  const select = el("select", {
    onchange: () => {
      localStorage.setItem("field", select.value);
      if (Number(select.value) !== shown) { shown = Number(select.value); onChange(shown); }  // no redundant reload
    },
  });
  for (const farm of all) {
    const group = el("optgroup", { label: farm.name });
    for (const f of farm.fields) {
      group.append(el("option", { value: f.id, selected: f.id === current },
        `${f.name} — ${t("crop_" + f.crop)} (${area(f.area)})`));
    }
    select.append(group);
  }
  return { control: field(t("pick_field"), select), fieldId: current, find: (id) => all.flatMap((f) => f.fields).find((f) => f.id === id) };
}

export function waitingNote() {
  return el("p", { class: "notice waiting", role: "status" }, t("waiting_to_send"));
}

// The irrigation advice as the farmer carries it out (server/advisory/irrigation_plan.py): what to
// do in steps of the field's method, how far to trust it, what to check, and what the advice assumed
// until the season profile is confirmed. Home and field screens show the same block.
export function irrigationPlan(today) {
  const p = today.irrigation.plan;
  const parts = [el("p", { class: "plan-summary" }, pick(p.summary))];
  if (p.applications.length) {
    parts.push(el("ol", { class: "plan-steps" }, p.applications.map((a) => el("li", { "data-day": a.day }, pick(a.text)))));
  }
  if (p.confidence_text) parts.push(el("p", { class: `confidence ${p.confidence}` }, pick(p.confidence_text)));
  for (const c of p.checks) parts.push(el("p", { class: "check" }, pick(c)));
  for (const n of p.notes) parts.push(el("p", { class: "muted plan-note" }, pick(n)));
  if (today.assumptions) parts.push(el("p", { class: "assumptions" }, pick(today.assumptions)));
  return el("div", { class: "irrigation-plan", "data-status": p.status }, parts);
}
