// Photo diagnosis: take or choose photos of one plant; the answer with its confidence, or
// "not sure — sent to the extension officer"; then every step of the officer's review: waiting,
// "send more photos" (answered from here), confirmed, corrected (with the corrected disease and
// its products), and the farmer's own "this answer is wrong".
import { api } from "../api.js";
import { date, num, pick, t } from "../i18n.js";
import { shrinkAll } from "../photo_shrink.js";
import * as queue from "../queue.js";
import { readAloud } from "../speak.js";
import { el, notice, show, uid } from "../ui.js";
import { fieldPicker, waitingNote } from "./common.js";

// Each review state in the farmer's words (server.farm.review.STATES); an officer's answer that is
// no disease ("another crop", "not a plant", "can't tell": server.farm.review.OUTCOMES) has a
// sentence of its own that says what to do next.
function stateLine(d) {
  const r = d.review;
  const disease = pick(r.label_name) || pick(d.disease?.name) || "";
  const lines = {
    pending: () => el("p", { class: "notice waiting review-state" }, t("dx_pending")),
    more_photos_requested: () => el("p", { class: "notice warn review-state" }, t("dx_state_more_photos", { note: r.note || "" })),
    confirmed: () => el("p", { class: "notice ok review-state" }, t("dx_state_confirmed", { disease })),
    corrected: () => r.outcome
      ? el("p", { class: "notice warn review-state", "data-outcome": r.outcome }, t("dx_outcome_" + r.outcome))
      : el("p", { class: "notice ok review-state" }, t("dx_state_corrected", { disease })),
    disputed: () => el("p", { class: "notice waiting review-state" }, t("dx_state_disputed")),
  };
  const line = lines[r.status]?.();
  const note = r.note && r.status !== "more_photos_requested" ? el("p", { class: "officer-note" }, t("dx_officer_note", { note: r.note })) : null;
  return [line, note];
}

function fileChooser(id) {
  const input = el("input", { type: "file", id, class: "file-input", accept: "image/*", capture: "environment", multiple: true });
  const chosen = el("p", { class: "hint", "aria-live": "polite" }, t("dx_nothing_chosen"));
  input.addEventListener("change", () => {
    chosen.textContent = input.files.length ? t("dx_chosen", { n: Math.min(input.files.length, 5) }) : t("dx_nothing_chosen");
  });
  return { input, chosen, reset: () => { input.value = ""; chosen.textContent = t("dx_nothing_chosen"); } };
}

// Sends through the outbox (kept on the phone while offline, sent once); returns the reply or null.
// The photos are made small first (photo_shrink.js): what is sent and what the outbox keeps is the
// small copy. ``gps`` (the originals' EXIF position, lost in the small copy) is added to ``fields``
// only when ``withGps`` says the farmer allows it.
// One send at a time: a second tap while the position is read and the photos are made small (a
// second or two on a cheap phone) is ignored instead of filing the same plant twice.
let sending = false;
async function oneAtATime(work) {
  if (sending) return null;
  sending = true;
  try {
    return await work();
  } finally {
    sending = false;
  }
}

async function send(url, fields, chosen, box, withGps = false) {
  const key = uid();
  box.replaceChildren(notice(t("dx_preparing")));
  const { files, gps } = await shrinkAll(chosen);
  if (withGps && gps) Object.assign(fields, { gps_lat: gps.lat, gps_lon: gps.lon });
  await queue.enqueue({ key, kind: "photo", url, fields: { ...fields, idempotency_key: key }, files, label: t("tab_photo") });
  box.replaceChildren(notice(t("dx_sending")));
  const sent = (await queue.flush())[key];
  if (!sent) { box.replaceChildren(waitingNote()); return null; }
  if (sent.status >= 300) { box.replaceChildren(notice(sent.data?.detail || t("error_generic", { detail: sent.status }), "error")); return null; }
  return sent.data;
}

function morePhotos(d, onDone) {
  const box = el("div", { "aria-live": "polite" });
  const files = fileChooser(`dx-more-${d.id}`);
  const form = el("form", { class: "more-photos", onsubmit: async (ev) => {
    ev.preventDefault();
    const chosen = [...files.input.files].slice(0, 5);
    if (!chosen.length) { box.replaceChildren(notice(t("dx_nothing_chosen"), "error")); return; }
    const reply = await oneAtATime(() => send(`/api/v1/app/diagnoses/${d.id}/photos`, {}, chosen, box));
    if (reply) { files.reset(); onDone(); }
  } },
  el("div", { class: "ctl" }, el("label", { for: files.input.id }, t("dx_more_pick")), files.input,
    el("label", { for: files.input.id, class: "button file-button" }, t("dx_choose")), files.chosen),
  el("button", { type: "submit", class: "primary" }, t("dx_send_more")), box);
  return form;
}

function disputeButton(d, onDone) {
  const box = el("div", { "aria-live": "polite" });
  const note = el("textarea", { id: `dx-why-${d.id}`, rows: 2 });
  const form = el("form", { class: "dispute", hidden: true, onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api(`/api/v1/app/diagnoses/${d.id}/dispute`, { method: "POST", body: { note: note.value, idempotency_key: uid() } });
      onDone();
    } catch (e) { box.replaceChildren(notice(e.body?.detail || t("error_generic", { detail: e.message }), "error")); }
  } },
  el("div", { class: "ctl" }, el("label", { for: note.id }, t("dx_dispute_why")), note),
  el("button", { type: "submit", class: "primary" }, t("dx_dispute_send")), box);
  const open = el("button", { type: "button", class: "link-button", onclick: () => { form.hidden = false; open.hidden = true; } }, t("dx_dispute"));
  return el("div", {}, open, form);
}

function treatmentList(d) {
  if (d.treatments.length) {
    return el("div", { class: "treatments" }, el("h3", {}, t("dx_treatments_for", { disease: pick(d.disease?.name) })),
      el("ul", {}, d.treatments.map((p) => el("li", {}, `${p.name} (${p.actives.join(", ")})`))));
  }
  if (d.disease?.key) return el("p", { class: "muted" }, t("dx_no_treatment"));
  return null;
}

export function answer(d, onChange = () => {}) {
  const head = d.abstained
    ? el("p", { class: "notice warn" }, t("dx_not_sure"))
    : el("p", { class: "notice ok" }, t("dx_answer", { pct: num(d.confidence * 100, 0) }));
  const actions = d.review.actions || [];
  // "Đọc to" reads the answer, the officer's words and the products (speak.js leaves out buttons).
  return readAloud(el("article", { class: "card dx", "data-id": String(d.id), "data-state": d.review.status },
    el("p", { class: "muted" }, `${t("dx_photos", { n: d.photos.length })} · ${date(new Date(d.created_at * 1000).toISOString())}`),
    head,
    el("p", { class: "dx-msg" }, pick(d.message)),
    el("div", { class: "dx-photos" }, d.photos.slice(0, 4).map((src) => el("img", { src, alt: t("dx_photo_alt"), width: 96, height: 96, loading: "lazy" }))),
    ...stateLine(d),
    treatmentList(d),
    d.review.status === "more_photos_requested" && actions.includes("add_photos") ? morePhotos(d, onChange) : null,
    actions.includes("dispute") ? disputeButton(d, onChange) : null));
}

async function history(fieldId, box) {
  try {
    const { data } = await api(`/api/v1/app/fields/${fieldId}/diagnoses`);
    const again = () => history(fieldId, box);
    box.replaceChildren(el("h2", {}, t("dx_history")),
      ...(data.diagnoses.length ? data.diagnoses.map((d) => answer(d, again)) : [el("p", { class: "muted" }, t("dx_none"))]));
  } catch { box.replaceChildren(); }
}

export async function render() {
  const result = el("div", { "aria-live": "polite" });
  const past = el("section", { class: "dx-history" });
  const picker = await fieldPicker((id) => history(id, past));
  // The field a photo is filed under is the one the picker shows at the moment of sending: read
  // from the control itself, never from a copy that a form reset could leave behind.
  const select = picker.control.querySelector("select");
  const shownField = () => Number(select.value);
  // The native file control speaks the phone's language ("Choose Files"); a labelled button in ours
  // opens it instead, and a line says how many photos are chosen.
  const files = fileChooser("dx-files");
  files.input.required = true;
  const share = el("input", { type: "checkbox", id: "share-loc" });
  const submit = async () => {
    const chosen = [...files.input.files].slice(0, 5);
    if (!chosen.length) return;
    const fieldId = shownField();
    const fields = { field_id: fieldId, share_location: share.checked ? "1" : "0" };
    if (share.checked && navigator.geolocation) {
      const pos = await new Promise((ok) => navigator.geolocation.getCurrentPosition(ok, () => ok(null), { timeout: 5000 }));
      if (pos) Object.assign(fields, { lat: pos.coords.latitude, lon: pos.coords.longitude });
    }
    const reply = await send("/api/v1/app/photos", fields, chosen, result, share.checked);
    if (reply) {
      result.replaceChildren(answer(reply, () => history(shownField(), past)));
      files.reset();  // only the photos: the field stays the one the farmer chose
      history(shownField(), past);
    }
  };
  const form = el("form", { class: "card", onsubmit: (ev) => {
    ev.preventDefault();
    return oneAtATime(() => submit());
  } },
  el("h2", {}, t("dx_title")),
  picker.control,
  el("div", { class: "ctl" }, el("label", { for: "dx-files" }, t("dx_pick")), files.input,
    el("label", { for: "dx-files", class: "button file-button" }, t("dx_choose")), files.chosen, el("p", { class: "hint" }, t("dx_hint"))),
  el("div", { class: "check" }, share, el("label", { for: "share-loc" }, t("dx_share_location"))),
  el("button", { type: "submit", class: "primary" }, t("dx_send")));
  show(form, result, past);
  history(shownField(), past);
}
