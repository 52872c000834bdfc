// Pieces several screens share: the field picker, the outbox state of an item, the harvest lock in words.
import { api } from "../api.js";
import { area, date, t } from "../i18n.js";
import { el, field } from "../ui.js";

// The harvest lock in words, [headline, why], for home, diary and harvest alike. A spray whose
// pre-harvest interval is unknown keeps the field locked with no safe date (``phi_unknown``).
export function lockWords(lock) {
  if (!lock.locked) return [t("harvest_ok"), lock.safe_from ? t("harvest_ok_since", { date: date(lock.safe_from) }) : ""];
  const why = { product: lock.product_name, date: date(lock.applied_on) };
  if (lock.phi_unknown) return [t("harvest_locked_unknown"), t("harvest_unknown_why", why)];
  return [t("harvest_locked_until", { date: date(lock.safe_from) }), t("harvest_locked_why", { ...why, days: lock.phi_days })];
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
