// Harvest: create a lot when every pre-harvest interval has ended, show its QR code to print.
import { api, ApiError } from "../api.js";
import { date, num, t } from "../i18n.js";
import { el, field, notice, show, uid } from "../ui.js";
import { fieldPicker } from "./common.js";
import { lockLine } from "./diary.js";

function lotCard(lot) {
  return el("article", { class: "card lot" },
    el("h3", {}, t("lot_code", { code: lot.code })),
    el("p", {}, `${date(lot.harvest_date)} · ${t("crop_" + lot.crop)}${lot.quantity_kg ? ` · ${num(lot.quantity_kg, 0)} kg` : ""}`),
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
  const qty = el("input", { type: "number", min: 0, step: "any", inputmode: "decimal" });
  const result = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const { data } = await api("/api/v1/app/lots", { method: "POST", body: { idempotency_key: uid(), field_id: fieldId, quantity_kg: qty.value } });
      result.replaceChildren(notice(t("lot_created"), "ok"), lotCard(data));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const h = e.body.harvest;
        result.replaceChildren(h.phi_unknown ? lockLine(h)
          : notice(t("lot_refused", { date: date(h.safe_from), product: h.product_name, days: h.phi_days }), "error"));
      } else if (e instanceof ApiError) result.replaceChildren(notice(e.body.detail || e.message, "error"));
      else result.replaceChildren(notice(t("lot_needs_network"), "error"));
    }
  } }, el("h2", {}, t("lot_new")), field(t("quantity_kg"), qty), el("button", { type: "submit", class: "primary" }, t("lot_create")), result);
  panel.replaceChildren(lockLine(diary.harvest), form, el("h2", {}, t("lot_list")),
    ...(lots.lots.length ? lots.lots.map(lotCard) : [el("p", { class: "muted" }, t("lot_none"))]));
}

export async function render() {
  const panel = el("div");
  const picker = await fieldPicker((id) => load(id, panel));
  show(el("h2", { class: "sr-only" }, t("tab_harvest")), picker.control, panel);
  await load(picker.fieldId, panel);
}
