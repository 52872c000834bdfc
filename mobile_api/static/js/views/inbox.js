// Inbox: the alerts that reached this farmer, newest first ("Mới" until opened; a withdrawn one is
// kept, struck through, with the officer's withdrawal said plainly), and how they want to be told
// beyond the app: phone notifications, SMS, Zalo, the number and the quiet hours (farm time).
import { api, offlineError } from "../api.js";
import { date, getLang, pick, t } from "../i18n.js";
import { localClock, localDay } from "../timezone.js";
import { el, field, notice, show } from "../ui.js";

const when = (s) => `${date(localDay(s * 1000))} ${localClock(s * 1000)}`;

// The header's inbox link with the unread count (main.js calls this after each screen).
export async function badge() {
  const link = document.getElementById("inbox-link");
  if (!link) return;
  try {
    const { data } = await api("/api/v1/inbox/unread");
    link.hidden = false;
    link.textContent = data.unread ? t("inbox_unread", { n: data.unread }) : t("inbox");
    link.className = `inbox-link net${data.unread ? " on" : ""}`;
  } catch { /* offline or signed out: keep what it showed */ }
}

function item(i) {
  const state = i.withdrawn_at ? "withdrawn" : i.read_at ? "read" : "unread";
  const title = pick(i.title) || t(`alert_sev_${i.severity}`);
  return el("article", { class: `card inbox-item ${state}`, "data-item": String(i.id), "data-state": state },
    el("h3", {}, state === "unread" ? el("strong", { class: "net on" }, t("inbox_new")) : null, " ",
      i.withdrawn_at ? el("s", {}, title) : title),
    i.withdrawn_at ? el("p", { class: "notice warn" }, t("inbox_withdrawn", { when: when(i.withdrawn_at) })) : null,
    el("p", {}, i.withdrawn_at ? el("s", {}, pick(i.message)) : pick(i.message)),
    el("p", { class: "muted" }, t("inbox_from_officer", { when: when(i.created_at) })));
}

async function subscribePush() {
  const { data } = await api("/api/v1/notify/push-key");
  const reg = await navigator.serviceWorker.ready;
  const key = Uint8Array.from(atob(data.public_key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await api("/api/v1/notify/push-subscriptions", { method: "POST", body: sub.toJSON() });
}

function prefsForm(p) {
  const box = (ch) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "channels", value: ch, checked: p.channels.includes(ch) }), " ", t(`notify_ch_${ch}`));
  const extra = ["push", "sms", "zalo"].filter((ch) => p.available.includes(ch));
  const status = el("p", { role: "status" });
  const form = el("form", { class: "card notify-prefs" },
    el("h2", {}, t("notify_prefs")),
    el("p", { class: "muted" }, t("notify_inbox_always")),
    extra.length ? el("fieldset", { class: "choice" }, el("legend", {}, t("notify_also")), extra.map(box))
      : el("p", { class: "muted" }, t("notify_none_set_up")),
    field(t("notify_phone"), el("input", { name: "phone", type: "tel", value: p.phone.replace(/^\+84/, "0"), autocomplete: "tel" })),
    field(t("notify_quiet_start"), el("input", { name: "quiet_start", type: "text", inputmode: "numeric", pattern: "[0-2][0-9]:[0-5][0-9]", maxlength: "5", value: p.quiet_start, required: true })),
    field(t("notify_quiet_end"), el("input", { name: "quiet_end", type: "text", inputmode: "numeric", pattern: "[0-2][0-9]:[0-5][0-9]", maxlength: "5", value: p.quiet_end, required: true }),
      t("notify_quiet_hint")),
    el("button", { type: "submit", class: "primary" }, t("save")), status);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const channels = [...form.querySelectorAll("input[name=channels]:checked")].map((c) => c.value);
    try {
      await api("/api/v1/notify/preferences", { method: "PUT", body: {
        channels, phone: form.phone.value, quiet_start: form.quiet_start.value, quiet_end: form.quiet_end.value, lang: getLang() } });
      if (channels.includes("push") && "PushManager" in window) await subscribePush().catch(() => {});
      status.replaceChildren(notice(t("notify_saved"), "ok"));
    } catch (e) {
      const why = offlineError(e) ? t("offline_no_data") : e.status === 422
        ? t(String(e.body?.detail || "").startsWith("phone") ? "notify_bad_phone" : "notify_bad_time")
        : t("error_generic", { detail: e.body?.detail || e.message });
      status.replaceChildren(notice(why, "error"));
    }
  });
  return form;
}

export async function render() {
  const [{ data }, prefs] = await Promise.all([api("/api/v1/inbox"), api("/api/v1/notify/preferences")]);
  show(
    el("h2", {}, t("inbox")),
    data.items.length ? el("div", { class: "inbox-list" }, data.items.map(item)) : el("p", { class: "muted" }, t("inbox_empty")),
    prefsForm(prefs.data));
  // Opened is read: the badge counts only what the farmer has not seen yet.
  await Promise.all(data.items.filter((i) => !i.read_at && !i.withdrawn_at)
    .map((i) => api(`/api/v1/inbox/${i.id}/read`, { method: "POST" }).catch(() => {})));
  await badge();
}
