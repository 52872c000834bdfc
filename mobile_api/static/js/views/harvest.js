// Harvest: create a lot when the compliance gate allows it, show its QR code to print.
// The gate (server: judge_lot) is the same one the lot endpoint, the public page and the PDF use:
// the screen shows its verdict before the farmer taps, and every reason when a lot is refused.
import { api, ApiError } from "../api.js";
import { date, num, t } from "../i18n.js";
import { el, field, notice, show, uid } from "../ui.js";
import { fieldPicker } from "./common.js";
import { lockLine, refusal } from "./common.js";

function lotCard(lot) {
  return el("article", { class: "card lot" },
    el("h3", {}, t("lot_code", { code: lot.code })),
    el("p", {}, `${date(lot.harvest_date)} · ${t("crop_" + lot.crop)}${lot.quantity_kg ? ` · ${num(lot.quantity_kg, 0)} kg` : ""}`),
    lot.compliant === false ? refusal(lot.reasons, "lot_flag_title") : null,
    el("img", { class: "qr", src: lot.qr_svg, alt: t("lot_qr_alt", { code: lot.code }), width: 180, height: 180 }),
    el("p", { class: "links" },
      el("a", { class: "button", href: lot.public_url, target: "_blank", rel: "noopener" }, t("lot_public")),
      el("a", { class: "button", href: `/lot/${encodeURIComponent(lot.code)}/report.pdf`, target: "_blank", rel: "noopener" },
        t("lot_report_pdf")),
      el("button", { type: "button", onclick: () => print() }, t("print"))));
}

async function load(fieldId, panel) {
  const [{ data: diary }, { data: lots }] = await Promise.all([
    api(`/api/v1/app/fields/${fieldId}/diary`), api(`/api/v1/app/fields/${fieldId}/lots`)]);
  const gate = diary.lot_gate;
  const qty = el("input", { type: "number", min: 0, step: "any", inputmode: "decimal" });
  const result = el("div", { "aria-live": "polite" });
  let key = uid();  // one lot per filled-in form, however often "Tạo lô" is tapped
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const { data } = await api("/api/v1/app/lots", { method: "POST", body: { idempotency_key: key, field_id: fieldId, quantity_kg: qty.value } });
      key = uid();
      result.replaceChildren(notice(t("lot_created"), "ok"), lotCard(data));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        result.replaceChildren(e.body.reasons?.length ? refusal(e.body.reasons) : lockLine(e.body.harvest));
      } else if (e instanceof ApiError) result.replaceChildren(notice(e.body.detail || e.message, "error"));
      else result.replaceChildren(notice(t("lot_needs_network"), "error"));
    }
  } }, el("h2", {}, t("lot_new")), field(t("quantity_kg"), qty), el("button", { type: "submit", class: "primary" }, t("lot_create")), result);
  const verdict = !gate ? lockLine(diary.harvest)
    : gate.allowed ? notice(t("lot_gate_ok"), "ok") : refusal(gate.reasons, "lot_gate_blocked");
  panel.replaceChildren(verdict, form, el("h2", {}, t("lot_list")),
    ...(lots.lots.length ? lots.lots.map(lotCard) : [el("p", { class: "muted" }, t("lot_none"))]));
}

export async function render() {
  const panel = el("div");
  const picker = await fieldPicker((id) => load(id, panel));
  show(el("h2", { class: "sr-only" }, t("tab_harvest")), picker.control, panel);
  await load(picker.fieldId, panel);
}
