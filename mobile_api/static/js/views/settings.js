// Settings: language, area units, text size; what waits in the outbox; sign out.
import { api } from "../api.js";
import { lang, LANGS, loadLang, t } from "../i18n.js";
import { applyTextSize, go, state, updateNet } from "../main.js";
import * as queue from "../queue.js";
import { el, show } from "../ui.js";

function choice(name, legend, options, current, onPick) {
  return el("fieldset", { class: "choice" }, el("legend", {}, legend),
    options.map(([value, label]) => el("label", {},
      el("input", { type: "radio", name, value, checked: value === current, onchange: () => onPick(value) }), label)));
}

async function outbox() {
  const items = await queue.list();
  if (!items.length) return el("p", { class: "muted" }, t("outbox_empty"));
  return el("ul", { class: "entries" }, items.map((i) => el("li", { class: `entry ${i.status}` },
    el("strong", {}, i.label || i.kind), " — ", t("state_" + i.status),
    i.status === "conflict" ? el("p", {}, t("conflict_explain")) : null,
    i.status !== "waiting" ? el("button", { type: "button", onclick: async () => { await queue.remove(i.key); render(); } }, t("discard")) : null,
    i.status === "conflict" && i.server ? el("button", { type: "button", onclick: async () => {
      await queue.put({ ...i, status: "waiting", ifMatch: i.server.version }); await queue.flush(); render(); } }, t("keep_mine")) : null)));
}

export async function render() {
  show(
    el("h2", {}, t("tab_settings")),
    el("p", { class: "muted" }, t("signed_in_as", { name: state.me?.name || "" })),
    choice("lang", t("language"), LANGS.map((l) => [l, t("lang_" + l)]), lang, async (v) => { await loadLang(v); render(); updateNet(); }),
    choice("units", t("units"), [["sao", t("unit_sao")], ["ha", t("unit_ha")]], localStorage.getItem("units") || "sao",
      (v) => localStorage.setItem("units", v)),
    choice("text", t("text_size"), [["normal", t("text_normal")], ["large", t("text_large")], ["xlarge", t("text_xlarge")]],
      localStorage.getItem("text") || "normal", (v) => { localStorage.setItem("text", v); applyTextSize(); }),
    el("h2", {}, t("outbox")), await outbox(),
    el("button", { type: "button", class: "secondary", onclick: async () => {
      try { await api("/api/v1/auth/logout", { method: "POST" }); } catch { /* offline: forget locally */ }
      state.me = null; localStorage.removeItem("me"); go("#/login");
    } }, t("logout")));
}
