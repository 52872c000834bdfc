// Diary: record a spray or fertiliser in a few taps; ban warnings; the harvest-safe date.
import { api } from "../api.js";
import { date, num, t } from "../i18n.js";
import * as queue from "../queue.js";
import { el, field, notice, show, uid } from "../ui.js";
import { fieldPicker, waitingNote } from "./common.js";

export const warningText = (w) => t("warn_" + w.code, { active: w.active, market: t("market_" + (w.market || "VN")) });

export function lockLine(lock) {
  if (lock.locked) return notice(t("harvest_locked_until", { date: date(lock.safe_from) }) + " — " +
    t("harvest_locked_why", { product: lock.product_name, date: date(lock.applied_on), days: lock.phi_days }), "error");
  return notice(lock.safe_from ? t("harvest_ok_since", { date: date(lock.safe_from) }) : t("harvest_ok"), "ok");
}

function entryItem(e) {
  return el("li", { class: "entry" },
    el("strong", {}, `${date(e.applied_on)} · ${t("kind_" + e.kind)}: ${e.product_name}`),
    e.phi_days != null ? el("span", { class: "muted" }, ` · ${t("phi_short", { days: num(e.phi_days, 0) })}`) : null,
    ...e.warnings.map((w) => el("p", { class: "warn-line" }, "⚠ " + warningText(w))));
}

async function load(fieldId, panel) {
  const [{ data: cat }, { data: diary }] = await Promise.all([
    api(`/api/v1/app/fields/${fieldId}/catalogue`), api(`/api/v1/app/fields/${fieldId}/diary`)]);
  const product = el("select", { required: true }, el("option", { value: "" }, t("pick_product")),
    cat.products.map((p) => el("option", { value: p.id }, `${p.warnings.length ? "⚠ " : ""}${p.name}${p.for_crop ? "" : " *"}`)));
  const phi = el("input", { type: "number", min: 0, max: 365, inputmode: "numeric", required: true });
  const amount = el("input", { type: "number", min: 0, step: "any", inputmode: "decimal" });
  const when = el("input", { type: "date", value: new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10), required: true });
  const kind = el("select", {}, ["spray", "fertiliser"].map((k) => el("option", { value: k }, t("kind_" + k))));
  const warn = el("div", { "aria-live": "polite" });
  const result = el("div", { "aria-live": "polite" });
  product.addEventListener("change", () => {
    const p = cat.products.find((x) => x.id === product.value);
    warn.replaceChildren(...(p?.warnings || []).map((w) => notice("⚠ " + warningText(w), "error")));
    if (p?.phi_days && !phi.value) phi.value = p.phi_days;
  });
  kind.addEventListener("change", () => { phi.required = kind.value === "spray"; });
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const key = uid();
    const json = { idempotency_key: key, field_id: fieldId, kind: kind.value, product_id: product.value,
      phi_days: phi.value, amount: amount.value, unit: amount.value ? "ml" : "", applied_on: when.value };
    await queue.enqueue({ key, kind: "diary", url: "/api/v1/app/diary", json, label: product.selectedOptions[0].textContent });
    const sent = (await queue.flush())[key];
    if (!sent) { result.replaceChildren(waitingNote()); return; }
    if (sent.status >= 300) { result.replaceChildren(notice(sent.data?.detail || String(sent.status), "error")); return; }
    result.replaceChildren(notice(t("saved"), "ok"), lockLine(sent.data.harvest));
    form.reset();
    load(fieldId, panel);
  } },
  el("h2", {}, t("diary_new")),
  field(t("kind"), kind), field(t("product"), product, t("product_hint")), warn,
  field(t("phi_days"), phi, t("phi_hint")), field(t("amount_ml"), amount), field(t("applied_on"), when),
  el("button", { type: "submit", class: "primary" }, t("save")), result);
  const pending = (await queue.list()).filter((i) => i.kind === "diary" && i.json.field_id === fieldId)
    .map((i) => el("li", { class: "entry pending" }, el("strong", {}, `${date(i.json.applied_on)} · ${i.label}`), " — ", t("state_" + i.status)));
  const rows = [...pending, ...diary.entries.map(entryItem)];
  panel.replaceChildren(lockLine(diary.harvest), form, el("h2", {}, t("diary_list")),
    rows.length ? el("ul", { class: "entries" }, rows) : el("p", { class: "muted" }, t("diary_empty")));
}

export async function render() {
  const panel = el("div");
  const picker = await fieldPicker((id) => load(id, panel));
  show(el("h2", { class: "sr-only" }, t("tab_diary")), picker.control, panel);
  await load(picker.fieldId, panel);
}
