// Photo diagnosis: take or choose photos of one plant; the answer with its confidence, or
// "not sure — sent to the extension officer"; later the officer's reply.
import { api } from "../api.js";
import { date, num, pick, t } from "../i18n.js";
import * as queue from "../queue.js";
import { el, field, notice, show, uid } from "../ui.js";
import { fieldPicker, waitingNote } from "./common.js";

export function answer(d) {
  const officer = d.review.status === "confirmed" || d.review.status === "corrected";
  const head = d.abstained
    ? el("p", { class: "notice warn" }, t("dx_not_sure"))
    : el("p", { class: "notice ok" }, t("dx_answer", { pct: num(d.confidence * 100, 0) }));
  return el("article", { class: "card dx" },
    el("p", { class: "muted" }, `${t("dx_photos", { n: d.photos.length })} · ${date(new Date(d.created_at * 1000).toISOString())}`),
    head,
    el("p", { class: "dx-msg" }, pick(d.message)),
    d.photos.length ? el("img", { src: d.photos[0], alt: t("dx_photo_alt"), width: 96, height: 96, loading: "lazy" }) : null,
    d.review.status === "pending" ? el("p", { class: "muted" }, t("dx_pending")) : null,
    officer ? el("p", { class: "notice ok" }, t("dx_officer_" + d.review.status, { note: d.review.note || "" })) : null,
    d.treatments.length ? el("div", {}, el("h3", {}, t("dx_treatments")),
      el("ul", {}, d.treatments.map((p) => el("li", {}, `${p.name} (${p.actives.join(", ")})`)))) : null);
}

async function history(fieldId, box) {
  try {
    const { data } = await api(`/api/v1/app/fields/${fieldId}/diagnoses`);
    box.replaceChildren(el("h2", {}, t("dx_history")), ...(data.diagnoses.length ? data.diagnoses.map(answer) : [el("p", { class: "muted" }, t("dx_none"))]));
  } catch { box.replaceChildren(); }
}

export async function render() {
  const result = el("div", { "aria-live": "polite" });
  const past = el("section");
  const picker = await fieldPicker((id) => { fieldId = id; history(id, past); });
  let fieldId = picker.fieldId;
  // The native file control speaks the phone's language ("Choose Files"); a labelled button in ours
  // opens it instead, and a line says how many photos are chosen.
  const input = el("input", { type: "file", id: "dx-files", class: "file-input", accept: "image/*", capture: "environment", multiple: true, required: true });
  const chosen = el("p", { class: "hint", "aria-live": "polite" }, t("dx_nothing_chosen"));
  input.addEventListener("change", () => {
    chosen.textContent = input.files.length ? t("dx_chosen", { n: Math.min(input.files.length, 5) }) : t("dx_nothing_chosen");
  });
  const share = el("input", { type: "checkbox", id: "share-loc" });
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    const files = [...input.files].slice(0, 5);
    if (!files.length) return;
    const fields = { field_id: fieldId, share_location: share.checked ? "1" : "0" };
    if (share.checked && navigator.geolocation) {
      const pos = await new Promise((ok) => navigator.geolocation.getCurrentPosition(ok, () => ok(null), { timeout: 5000 }));
      if (pos) Object.assign(fields, { lat: pos.coords.latitude, lon: pos.coords.longitude });
    }
    const key = uid();
    await queue.enqueue({ key, kind: "photo", url: "/api/v1/app/photos", fields: { ...fields, idempotency_key: key }, files, label: t("tab_photo") });
    result.replaceChildren(notice(t("dx_sending")));
    const sent = (await queue.flush())[key];
    if (!sent) result.replaceChildren(waitingNote());
    else if (sent.status < 300) {
      result.replaceChildren(answer(sent.data)); form.reset(); chosen.textContent = t("dx_nothing_chosen"); history(fieldId, past);
    }
    else result.replaceChildren(notice(sent.data?.detail || t("error_generic", { detail: sent.status }), "error"));
  } },
  el("h2", {}, t("dx_title")),
  picker.control,
  el("div", { class: "ctl" }, el("label", { for: "dx-files" }, t("dx_pick")), input,
    el("label", { for: "dx-files", class: "button file-button" }, t("dx_choose")), chosen, el("p", { class: "hint" }, t("dx_hint"))),
  el("div", { class: "check" }, share, el("label", { for: "share-loc" }, t("dx_share_location"))),
  el("button", { type: "submit", class: "primary" }, t("dx_send")));
  show(form, result, past);
  history(fieldId, past);
}
