// Diary: record a spray or fertiliser in a few taps; ban warnings; the harvest-safe date.
// An entry can be changed: the change carries the entry's version (If-Match); when the entry was
// changed on another phone the server answers 412 and the farmer chooses (keep mine / discard).
// A mistaken entry is voided with a reason, never deleted: it stays in the list struck through.
// One save is one entry however often "Lưu" is tapped: the form's idempotency key is made once per
// filled-in form and travels with the queued request; only a fresh form gets a new one.
import { api, ApiError } from "../api.js";
import { date, getLang, num, parseDate, t } from "../i18n.js";
import * as queue from "../queue.js";
import { localDay } from "../timezone.js";
import { el, field, notice, show, uid } from "../ui.js";
import { readAloud } from "../speak.js";
import { fieldPicker, lockLine, waitingNote } from "./common.js";

export const warningText = (w) => t("warn_" + w.code,
  { active: w.active, product: w.product, market: t("market_" + (w.market || "VN")) });

const entryText = (e) => `${date(e.applied_on)} · ${t("kind_" + e.kind)}: ${e.product_name}`;
const fullText = (e) => entryText(e) + (e.phi_days != null && e.phi_days !== "" ? ` · ${t("phi_short", { days: num(Number(e.phi_days), 0) })}` : "");

function voidedItem(e) {
  const v = e.voided;
  return el("li", { class: "entry voided" },
    el("del", {}, el("strong", {}, entryText(e)),
      ...e.warnings.map((w) => el("span", { class: "muted" }, ` · ⚠ ${warningText(w)}`))),
    el("p", { class: "muted" }, t("voided_line", { date: date(localDay(v.at * 1000)),
      who: v.by_name ? t("voided_by", { name: v.by_name }) : "", reason: v.reason })));
}

// The void control: a reason is required (the history says who, when and why).
function voidControl(e, reload) {
  const reason = el("input", { type: "text", maxlength: 500 });  // checked below, in the app's language
  const out = el("div", { "aria-live": "polite" });
  const box = el("form", { class: "void", hidden: true, onsubmit: async (ev) => {
    ev.preventDefault();
    if (!reason.value.trim()) { reason.setCustomValidity(t("void_needs_reason")); reason.reportValidity(); return; }
    try {
      const { data } = await api(`/api/v1/app/diary/${e.id}/void`, { method: "POST", body: { reason: reason.value.trim() },
        headers: { "If-Match": `"${e.version}"` } });
      await reload([notice(t("voided_done"), "ok"), lockLine(data.harvest, data.lot_gate)]);
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? (err.body.detail || err.message) : t("void_needs_network"), "error"));
    }
  } }, field(t("void_reason"), reason), el("button", { type: "submit", class: "primary" }, t("void_confirm")), out);
  reason.addEventListener("input", () => reason.setCustomValidity(""));
  const open = el("button", { type: "button", class: "secondary", onclick: () => { box.hidden = false; open.hidden = true; reason.focus(); } },
    t("void"), el("span", { class: "sr-only" }, ` ${entryText(e)}`));
  return [open, box];
}

function entryItem(e, onEdit, reload) {
  if (e.voided) return voidedItem(e);
  return el("li", { class: "entry" },
    el("strong", {}, entryText(e)),
    e.phi_days != null ? el("span", { class: "muted" }, ` · ${t("phi_short", { days: num(e.phi_days, 0) })}`) : null,
    ...e.warnings.map((w) => el("p", { class: "warn-line" }, "⚠ " + warningText(w))),
    el("div", {}, el("button", { type: "button", onclick: () => onEdit(e) },
      t("edit"), el("span", { class: "sr-only" }, ` ${entryText(e)}`)), ...voidControl(e, reload)));
}

// An outbox item for this field: waiting, or a conflict/refusal the farmer has to decide on.
function outboxItem(i, reload) {
  const conflict = i.status === "conflict";
  return el("li", { class: `entry ${i.status}` },
    el("strong", {}, `${date(i.json.applied_on)} · ${i.label}`), " — ", t("state_" + i.status),
    conflict && i.server ? el("p", { role: "alert" }, t("conflict_diary", { theirs: fullText(i.server),
      mine: fullText({ ...i.json, product_name: i.label.replace(/^⚠ /, "") }) })) : null,
    conflict ? el("button", { type: "button", onclick: async () => {
      await queue.put({ ...i, status: "waiting", ifMatch: i.server?.version ?? i.ifMatch }); await queue.flush(); reload(); } }, t("keep_mine")) : null,
    i.status !== "waiting" ? el("button", { type: "button", class: "secondary", onclick: async () => { await queue.remove(i.key); reload(); } },
      conflict ? t("keep_theirs") : t("discard")) : null);
}

// The options of the product list for a kind: pesticides for a spray, fertilisers for "Bón phân".
function productOptions(cat, kind) {
  if (kind === "fertiliser") {
    return [el("option", { value: "" }, t("pick_fertiliser")),
      ...(cat.fertilisers || []).map((f) => el("option", { value: f.id }, f.names?.[getLang()] || f.name))];
  }
  return [el("option", { value: "" }, t("pick_product")),
    ...cat.products.map((p) => el("option", { value: p.id }, `${p.warnings.length ? "⚠ " : ""}${p.name}${p.for_crop ? "" : " *"}`))];
}

let latest = 0;  // only the newest load may draw (the farmer may switch fields while one is loading)

async function load(fieldId, panel, done = []) {
  const reload = (msg = []) => load(fieldId, panel, msg);
  const ticket = ++latest;
  const [{ data: cat }, { data: diary }] = await Promise.all([
    api(`/api/v1/app/fields/${fieldId}/catalogue`), api(`/api/v1/app/fields/${fieldId}/diary`)]);
  if (ticket !== latest) return;
  let editing = null;  // the entry being changed, or null for a new one
  let key = uid();  // this form's idempotency key: one per filled-in form, not one per tap
  let busy = false;
  const product = el("select", { required: true }, productOptions(cat, "spray"));
  const phi = el("input", { type: "number", min: 0, max: 365, inputmode: "numeric", required: true });
  const phiSource = el("p", { class: "hint phi-source", hidden: true });
  let prefilled = null;
  const amount = el("input", { type: "number", min: 0, step: "any", inputmode: "decimal" });
  // Day/month/year in both languages: a text field, since a native date field follows the phone's locale.
  const when = el("input", { type: "text", lang: "vi", inputmode: "numeric", autocomplete: "off", required: true,
    placeholder: t("date_placeholder"), maxlength: 10, value: date(localDay()) });
  when.addEventListener("input", () => when.setCustomValidity(""));
  const kind = el("select", {}, ["spray", "fertiliser"].map((k) => el("option", { value: k }, t("kind_" + k))));
  const warn = el("div", { "aria-live": "polite" });
  const result = el("div", { "aria-live": "polite" });
  const title = el("h2", {}, t("diary_new"));
  const submit = el("button", { type: "submit", class: "primary" }, t("save"));
  const cancel = el("button", { type: "button", hidden: true, onclick: () => reset() }, t("cancel"));
  const phiField = field(t("phi_days"), phi, t("phi_hint"));
  phiField.append(phiSource);
  const amountField = field(t("amount_ml"), amount);
  const productField = field(t("product"), product, t("product_hint"));
  const showWarnings = () => {
    const p = kind.value === "spray" ? cat.products.find((x) => x.id === product.value) : null;
    warn.replaceChildren(...(p?.warnings || []).map((w) => readAloud(notice("⚠ " + warningText(w), "error"))));
    return p;
  };
  // The PHI comes from the catalogue for this field's crop and market where it lists one (a 0-day
  // PHI is a value too), with where it comes from in small text; the farmer may still type the
  // label's. A value the app wrote is replaced when another product is chosen; a typed one never.
  const prefill = (p) => {
    const mine = phi.value === "" || (prefilled != null && phi.value === String(prefilled));
    if (mine) phi.value = p?.phi_days != null ? String(p.phi_days) : "";
    prefilled = p?.phi_days != null && mine ? p.phi_days : null;
    const source = String(p?.phi_source || "").replace(/^catalogue:\s*/, "");
    phiSource.hidden = !p || (prefilled == null && p.phi_days != null);
    phiSource.textContent = !p ? "" : p.phi_days != null ? t("phi_source_catalogue", { source }) : t("phi_source_none");
  };
  phi.addEventListener("input", () => {
    if (prefilled != null && phi.value !== String(prefilled)) { prefilled = null; phiSource.hidden = true; }
  });
  product.addEventListener("change", () => prefill(showWarnings()));
  const setKind = (k, productId = "") => {
    kind.value = k;
    product.replaceChildren(...productOptions(cat, k));
    product.value = productId;
    phi.required = k === "spray";
    phiField.hidden = k !== "spray";
    productField.querySelector(".hint").hidden = k !== "spray";  // ⚠ and * mark pesticides only
    amountField.querySelector("label").textContent = t(k === "spray" ? "amount_ml" : "amount_kg");
    prefill(showWarnings());
  };
  kind.addEventListener("change", () => setKind(kind.value));
  function reset() {
    editing = null;
    key = uid();
    form.reset();
    setKind("spray");
    when.value = date(localDay());
    title.textContent = t("diary_new");
    submit.textContent = t("save");
    cancel.hidden = true;
    warn.replaceChildren();
    prefilled = null;
    phiSource.hidden = true;
  }
  function edit(e) {
    editing = e;
    key = uid();
    setKind(e.kind, e.product_id || "");
    phi.value = e.phi_days ?? "";
    prefilled = null;  // the diary's own value, as recorded
    phiSource.hidden = true;
    amount.value = e.amount ?? "";
    when.value = date(e.applied_on);
    title.textContent = t("diary_edit", { entry: entryText(e) });
    submit.textContent = t("save_changes");
    cancel.hidden = false;
    result.replaceChildren();
    form.scrollIntoView({ block: "start" });
    kind.focus({ preventScroll: true });
  }
  async function save() {
    const applied = parseDate(when.value);
    if (!applied) { when.setCustomValidity(t("date_invalid")); when.reportValidity(); return; }
    if (applied > localDay()) { when.setCustomValidity(t("date_future")); when.reportValidity(); return; }
    const json = { field_id: fieldId, kind: kind.value, product_id: product.value,
      phi_days: kind.value === "spray" ? phi.value : "", amount: amount.value,
      unit: amount.value ? (kind.value === "spray" ? "ml" : "kg") : "", applied_on: applied };
    const label = product.selectedOptions[0].textContent;
    if (editing) {
      await queue.enqueue({ key, kind: "diary", method: "PUT", url: `/api/v1/app/diary/${editing.id}`, json, ifMatch: editing.version, label });
    } else {  // the same key on every tap: the outbox holds one item and the server stores one entry
      await queue.enqueue({ key, kind: "diary", url: "/api/v1/app/diary", json: { ...json, idempotency_key: key }, label });
    }
    const sent = (await queue.flush())[key];
    if (!sent) { reset(); result.replaceChildren(waitingNote()); await drawList(); return; }
    if (sent.status === 412) {  // the conflict is shown in the list, with the choice
      await reload();
      panel.querySelector(".entry.conflict")?.scrollIntoView({ block: "center" });
      return;
    }
    if (sent.status >= 300) {  // refused: shown here, the farmer corrects and saves again (same key)
      await queue.remove(key);
      const why = sent.data?.code === "future_date" ? t("date_future") : sent.data?.detail || String(sent.status);
      result.replaceChildren(notice(why, "error"));
      return;
    }
    await reload([notice(t("saved"), "ok"), lockLine(sent.data.harvest, sent.data.lot_gate)]);
  }
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    if (busy) return;  // a second tap while the first is saving
    busy = true;
    submit.disabled = true;
    try { await save(); } finally { busy = false; submit.disabled = false; }
  } },
  title,
  field(t("kind"), kind), productField, warn,
  phiField, amountField, field(t("applied_on"), when, t("date_hint")),
  submit, cancel, result);
  result.replaceChildren(...done);
  const explain = el("div");
  const list = el("div");
  // The list from what the server sent plus the phone's outbox; redrawn without the network
  // when a save waits offline, so the farmer sees the one waiting entry at once.
  async function drawList() {
    const mine = (await queue.list()).filter((i) => i.kind === "diary" && i.json.field_id === fieldId);
    const conflicts = mine.filter((i) => i.status === "conflict");
    const rows = [...mine.map((i) => outboxItem(i, reload)), ...diary.entries.map((e) => entryItem(e, edit, reload))];
    explain.replaceChildren(...(conflicts.length ? [notice(t("conflict_explain"), "error")] : []));
    list.replaceChildren(rows.length ? el("ul", { class: "entries" }, rows) : el("p", { class: "muted" }, t("diary_empty")));
  }
  await drawList();
  if (ticket !== latest) return;
  panel.dataset.field = fieldId;
  panel.replaceChildren(explain, lockLine(diary.harvest, diary.lot_gate), form, el("h2", {}, t("diary_list")), list);
}

export async function render() {
  const panel = el("div");
  const picker = await fieldPicker((id) => load(id, panel));
  show(el("h2", { class: "sr-only" }, t("tab_diary")), picker.control, panel);
  await load(picker.fieldId, panel);
}
