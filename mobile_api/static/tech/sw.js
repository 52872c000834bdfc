// Service worker for /tech/: the page and its code from the cache when there is no signal, and the
// last fleet/setup answers (network first, cache as fallback). Provisioning queues in IndexedDB.
const CACHE = 'ruongso-tech-v5';
const SHELL = ['/tech/', '/static/tech/tech.css', '/static/js/i18n.js', '/static/js/timezone.js', '/static/tech/core.js', '/static/tech/tech.js', '/static/tech/fleet.js',
  '/static/tech/provision.js', '/static/tech/queue.js', '/static/tech/calibrate.js', '/static/tech/config.js', '/static/tech/serial.js', '/static/tech/updates.js',
  '/static/tech/i18n/vi.json', '/static/tech/i18n/en.json', '/vendor/leaflet/leaflet.js', '/vendor/leaflet/leaflet.css',
  '/static/icon.svg'];
const API_CACHED = ['/api/v1/tech/fleet', '/api/v1/tech/setup', '/api/v1/auth/me'];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: false });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== location.origin) return;
  const isApi = API_CACHED.includes(url.pathname) || /^\/api\/v1\/tech\/nodes\/\d+\/(calibrations|config)$/.test(url.pathname);
  if (isApi || SHELL.includes(url.pathname)) ev.respondWith(networkFirst(ev.request));
});
