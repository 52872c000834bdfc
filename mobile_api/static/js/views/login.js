// Sign-in with phone number and password; the session is remembered on the device.
import { api, ApiError, setCsrf } from "../api.js";
import { t } from "../i18n.js";
import { go, refreshMe, state } from "../main.js";
import { el, field, notice, show } from "../ui.js";

export async function render() {
  const phone = el("input", { type: "tel", name: "phone", autocomplete: "username", inputmode: "tel", required: true });
  const pass = el("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const msg = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "card", onsubmit: async (ev) => {
    ev.preventDefault();
    msg.replaceChildren(notice(t("signing_in")));
    try {
      const { data } = await api("/api/v1/auth/login", { method: "POST", body: { phone: phone.value, password: pass.value } });
      setCsrf(data.csrf_token);
      state.me = data.user || data;
      localStorage.setItem("me", JSON.stringify(state.me));
      await refreshMe();
      go("#/home");
    } catch (e) {
      const text = e instanceof ApiError ? (e.status === 429 ? t("login_wait") : t("login_wrong")) : t("offline_no_data");
      msg.replaceChildren(notice(text, "error"));
    }
  } },
  el("h2", {}, t("login_title")),
  field(t("phone"), phone, t("phone_hint")),
  field(t("password"), pass),
  el("button", { type: "submit", class: "primary" }, t("login_button")),
  msg);
  show(form);
}
