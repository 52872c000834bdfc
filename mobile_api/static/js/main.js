// Ruộng Số farmer app: router, sign-in state, connection and outbox status, service worker.
import { api, csrf, offlineError, setCsrf } from "./api.js";
import { loadLang, t } from "./i18n.js";
import * as queue from "./queue.js";
import { show, notice } from "./ui.js";

const VIEWS = {
  login: () => import("./views/login.js"),
  home: () => import("./views/home.js"),
  field: () => import("./views/field.js"),
  photo: () => import("./views/photo.js"),
  diary: () => import("./views/diary.js"),
  harvest: () => import("./views/harvest.js"),
  settings: () => import("./views/settings.js"),
  inbox: () => import("./views/inbox.js"),
};
export const state = { me: JSON.parse(localStorage.getItem("me") || "null") };

export function applyTextSize() {
  document.documentElement.dataset.text = localStorage.getItem("text") || "normal";
}

export async function refreshMe() {
  try {
    const { data } = await api("/api/v1/auth/me");
    state.me = data.user || data;
    setCsrf(data.csrf_token);
    localStorage.setItem("me", JSON.stringify(state.me));
  } catch (e) {
    if (!offlineError(e)) { state.me = null; localStorage.removeItem("me"); }
  }
}

export async function updateNet() {
  const items = await queue.list().catch(() => []);
  const waiting = items.filter((i) => i.status === "waiting").length;
  const problems = items.length - waiting;
  const parts = [];
  if (!navigator.onLine) parts.push(t("net_offline"));
  if (waiting) parts.push(t("net_waiting", { n: waiting }));
  if (problems) parts.push(t("net_problems", { n: problems }));
  const net = document.getElementById("net");
  net.textContent = parts.join(" · ");
  net.className = `net${parts.length ? " on" : ""}`;
}

async function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  const view = state.me ? (VIEWS[name] ? name : "home") : "login";
  document.getElementById("tabs").hidden = !state.me;
  for (const a of document.querySelectorAll("#tabs a")) {
    if (a.dataset.tab === (view === "field" ? "home" : view)) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    const mod = await VIEWS[view]();
    await mod.render(arg);
  } catch (e) {
    if (e.status === 401) { state.me = null; localStorage.removeItem("me"); return route(); }
    show(notice(offlineError(e) ? t("offline_no_data") : t("error_generic", { detail: e.message }), "error"));
  }
  if (state.me && view !== "inbox") VIEWS.inbox().then((m) => m.badge()).catch(() => {});  // unread count
  else if (!state.me) document.getElementById("inbox-link").hidden = true;
  scrollTo(0, 0);  // a new screen starts at its top
  document.getElementById("view").focus({ preventScroll: true });
}

export const go = (hash) => (location.hash === hash ? route() : (location.hash = hash));

async function start() {
  applyTextSize();
  await loadLang();
  if (navigator.onLine && (state.me || csrf())) await refreshMe();  // no session: no 401 to ask for
  addEventListener("hashchange", route);
  for (const ev of ["online", "offline"]) addEventListener(ev, updateNet);
  queue.onChange(updateNet);
  await route();
  updateNet();
  if (navigator.onLine) queue.flush().then(updateNet);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

start();
