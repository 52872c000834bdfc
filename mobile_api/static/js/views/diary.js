// Diary: record a spray or fertiliser in a few taps; ban warnings; the harvest-safe date.
// An entry can be changed: the change carries the entry's version (If-Match); when the entry was
// changed on another phone the server answers 412 and the farmer chooses (keep mine / discard).
import { api } from "../api.js";
import { date, num, parseDate, t } from "../i18n.js";
import * as queue from "../queue.js";
import { el, field, notice, show, uid } from "../ui.js";
import { fieldPicker, lockWords, waitingNote } from "./common.js";

export const warningText = (w) => t("warn_" + w.code, { active: w.active, market: t("market_" + (w.market || "VN")) });

export function lockLine(lock) {
  if (!lock.locked) return notice(lock.safe_from ? t("harvest_ok_since", { date: date(lock.safe_from) }) : t("harvest_ok"), "ok");
  const [head, why] = lockWords(lock);
  return notice(`${head} — ${why}`, "error");
}

const today = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);  // Vietnam, UTC+7

const entryText = (e) => `${date(e.applied_on)} · ${t("kind_" + e.kind)}: ${e.product_name}`;
const fullText = (e) => entryText(e) + (e.phi_days != null && e.phi_days !== "" ? ` · ${t("phi_short", { days: num(Number(e.phi_days), 0) })}` : "");

function entryItem(e, onEdit) {
  return el("li", { class: "entry" },
    el("strong", {}, entryText(e)),
    e.phi_days != null ? el("span", { class: "muted" }, ` · ${t("phi_short", { days: num(e.phi_days, 0) })}`) : null,
    ...e.warnings.map((w) => el("p", { class: "warn-line" }, "⚠ " + warningText(w))),
    el("div", {}, el("button", { type: "button", onclick: () => onEdit(e) },
      t("edit"), el("span", { class: "sr-only" }, ` ${entryText(e)}`))));
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

let latest = 0;  // only the newest load may draw (the farmer may switch fields while one is loading)

async function load(fieldId, panel, done = []) {
  const reload = (msg = []) => load(fieldId, panel, msg);
  const ticket = ++latest;
  const [{ data: cat }, { data: diary }] = await Promise.all([
    api(`/api/v1/app/fields/${fieldId}/catalogue`), api(`/api/v1/app/fields/${fieldId}/diary`)]);
  if (ticket !== latest) return;
  let editing = null;  // the entry being changed, or null for a new one
  const product = el("select", { required: true }, el("option", { value: "" }, t("pick_product")),
    cat.products.map((p) => el("option", { value: p.id }, `${p.warnings.length ? "⚠ " : ""}${p.name}${p.for_crop ? "" : " *"}`)));
  const phi = el("input", { type: "number", min: 0, max: 365, inputmode: "numeric", required: true });
  const amount = el("input", { type: "number", min: 0, step: "any", inputmode: "decimal" });
  // Day/month/year in both languages: a text field, since a native date field follows the phone's locale.
  const when = el("input", { type: "text", lang: "vi", inputmode: "numeric", autocomplete: "off", required: true,
    placeholder: t("date_placeholder"), maxlength: 10, value: date(today()) });
  when.addEventListener("input", () => when.setCustomValidity(""));
  const kind = el("select", {}, ["spray", "fertiliser"].map((k) => el("option", { value: k }, t("kind_" + k))));
  const warn = el("div", { "aria-live": "polite" });
  const result = el("div", { "aria-live": "polite" });
  const title = el("h2", {}, t("diary_new"));
  const submit = el("button", { type: "submit", class: "primary" }, t("save"));
  const cancel = el("button", { type: "button", hidden: true, onclick: () => reset() }, t("cancel"));
  const showWarnings = () => {
    const p = cat.products.find((x) => x.id === product.value);
    warn.replaceChildren(...(p?.warnings || []).map((w) => notice("⚠ " + warningText(w), "error")));
    return p;
  };
  product.addEventListener("change", () => {
    const p = showWarnings();
    if (p?.phi_days && !phi.value) phi.value = p.phi_days;
  });
  kind.addEventListener("change", () => { phi.required = kind.value === "spray"; });
  function reset() {
    editing = null;
    form.reset();
    when.value = date(today());
    title.textContent = t("diary_new");
    submit.textContent = t("save");
    cancel.hidden = true;
    warn.replaceChildren();
  }
  function edit(e) {
    editing = e;
    kind.value = e.kind;
    phi.required = e.kind === "spray";
    product.value = e.product_id || "";
    phi.value = e.phi_days ?? "";
    amount.value = e.amount ?? "";
    when.value = date(e.applied_on);
    title.textContent = t("diary_edit", { entry: entryText(e) });
    submit.textContent = t("save_changes");
    cancel.hidden = false;
    result.replaceChildren();
    showWarnings();
    form.scrollIntoView({ block: "start" });
    kind.focus({ preventScroll: true });
  }
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const applied = parseDate(when.value);
    if (!applied) { when.setCustomValidity(t("date_invalid")); when.reportValidity(); return; }
    const key = uid();
    const json = { field_id: fieldId, kind: kind.value, product_id: product.value,
      phi_days: phi.value, amount: amount.value, unit: amount.value ? "ml" : "", applied_on: applied };
    const label = product.selectedOptions[0].textContent;
    if (editing) {
      await queue.enqueue({ key, kind: "diary", method: "PUT", url: `/api/v1/app/diary/${editing.id}`, json, ifMatch: editing.version, label });
    } else {
      await queue.enqueue({ key, kind: "diary", url: "/api/v1/app/diary", json: { ...json, idempotency_key: key }, label });
    }
    const sent = (await queue.flush())[key];
    if (!sent) { result.replaceChildren(waitingNote()); return; }
    if (sent.status === 412) {  // the conflict is shown in the list, with the choice
      await reload();
      panel.querySelector(".entry.conflict")?.scrollIntoView({ block: "center" });
      return;
    }
    if (sent.status >= 300) { result.replaceChildren(notice(sent.data?.detail || String(sent.status), "error")); return; }
    await reload([notice(t("saved"), "ok"), lockLine(sent.data.harvest)]);
  } },
  title,
  field(t("kind"), kind), field(t("product"), product, t("product_hint")), warn,
  field(t("phi_days"), phi, t("phi_hint")), field(t("amount_ml"), amount), field(t("applied_on"), when, t("date_hint")),
  submit, cancel, result);
  result.replaceChildren(...done);
  const mine = (await queue.list()).filter((i) => i.kind === "diary" && i.json.field_id === fieldId);
  if (ticket !== latest) return;
  const conflicts = mine.filter((i) => i.status === "conflict");
  const rows = [...mine.map((i) => outboxItem(i, reload)), ...diary.entries.map((e) => entryItem(e, edit))];
  panel.dataset.field = fieldId;
  panel.replaceChildren(
    ...(conflicts.length ? [notice(t("conflict_explain"), "error")] : []),
    lockLine(diary.harvest), form, el("h2", {}, t("diary_list")),
    rows.length ? el("ul", { class: "entries" }, rows) : el("p", { class: "muted" }, t("diary_empty")));
}

export async function render() {
  const panel = el("div");
  const picker = await fieldPicker((id) => load(id, panel));
  show(el("h2", { class: "sr-only" }, t("tab_diary")), picker.control, panel);
  await load(picker.fieldId, panel);
}
