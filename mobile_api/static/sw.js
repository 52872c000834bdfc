// Service worker: the app shell from cache (refreshed in the background), the API network-first
// with the last answer kept for when the signal drops. Writes are never cached (the outbox sends them).
const VERSION = "rs-app-7";
const SHELL = ["/", "/static/app.css", "/static/js/main.js", "/static/js/api.js", "/static/js/i18n.js", "/static/js/timezone.js", "/static/js/ui.js",
  "/static/js/queue.js", "/static/js/photo_shrink.js", "/static/js/chart.js", "/static/js/speak.js", "/static/js/views/common.js", "/static/js/views/login.js",
  "/static/js/views/home.js", "/static/js/views/field.js", "/static/js/views/photo.js", "/static/js/views/diary.js",
  "/static/js/views/harvest.js", "/static/js/views/settings.js", "/static/js/views/forecast.js", "/static/i18n/vi.json", "/static/i18n/en.json",
  "/static/icon.svg", "/manifest.webmanifest"];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(VERSION).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function networkFirst(req) {
  const cache = await caches.open(VERSION);
  try {
    const res = await fetch(req);
    if (res.ok) cache.put(req, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(req);
    if (!hit) throw err;
    const headers = new Headers(hit.headers);
    headers.set("X-From-Cache", "1");
    return new Response(hit.body, { status: hit.status, headers });
  }
}

async function staleWhileRevalidate(req) {
  const cache = await caches.open(VERSION);
  const hit = await cache.match(req, { ignoreSearch: req.mode === "navigate" });
  const fresh = fetch(req).then((res) => { if (res.ok) cache.put(req.mode === "navigate" ? "/" : req, res.clone()); return res; });
  if (hit) { fresh.catch(() => {}); return hit; }
  return fresh;
}

self.addEventListener("fetch", (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/v1/auth/")) return;
  if (url.pathname.startsWith("/api/")) ev.respondWith(networkFirst(req));
  else if (req.mode === "navigate" || url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    ev.respondWith(staleWhileRevalidate(req));
  }
});

// Web Push (RFC 8030/8291): the server encrypts {title, body, url, alert} for this browser; show it
// even when the app is closed, and open the inbox when it is tapped.
self.addEventListener("push", (ev) => {
  let msg = {};
  try { msg = ev.data ? ev.data.json() : {}; } catch { msg = { body: ev.data ? ev.data.text() : "" }; }
  ev.waitUntil(self.registration.showNotification(msg.title || "Ruộng Số", {
    body: msg.body || "", icon: "/static/icon-192.png", badge: "/static/icon-192.png",
    tag: msg.alert ? `alert-${msg.alert}` : undefined, data: { url: msg.url || "/#/inbox" } }));
});

self.addEventListener("notificationclick", (ev) => {
  ev.notification.close();
  const url = new URL(ev.notification.data?.url || "/#/inbox", self.location.origin).href;
  ev.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((list) => {
    const open = list.find((c) => new URL(c.url).origin === self.location.origin);
    return open ? open.navigate(url).then((c) => (c || open).focus()) : self.clients.openWindow(url);
  }));
});
