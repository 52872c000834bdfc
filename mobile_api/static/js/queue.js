// Outbox in IndexedDB: diary entries, photos and lots made offline wait here and are sent, once,
// when the connection returns (each carries a client-made idempotency key the server dedupes on).
import { csrf } from "./api.js";

const listeners = new Set();
let flushing = null;

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("ruongso", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("outbox", { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction("outbox", mode);
    const result = fn(t.objectStore("outbox"));
    t.oncomplete = () => resolve(result.result ?? result);
    t.onerror = () => reject(t.error);
  });
}

export const list = () => tx("readonly", (s) => s.getAll());
export const remove = async (key) => { await tx("readwrite", (s) => s.delete(key)); changed(); };
export const put = async (item) => { await tx("readwrite", (s) => s.put(item)); changed(); };
export const onChange = (fn) => listeners.add(fn);
function changed() { for (const fn of listeners) fn(); }

// item: {key, kind, url, method, json?, fields?, files?, ifMatch?, label}. ``key`` is the request's
// idempotency key, made once per filled-in form by the caller: enqueueing the same key again (a
// double tap) replaces the waiting item, so the outbox holds one item and the server stores one row.
export async function enqueue(item) {
  await put({ ...item, status: "waiting", created: Date.now() });
  return item.key;
}

async function send(item) {
  const headers = { "X-CSRF-Token": csrf(), "Idempotency-Key": item.key, Accept: "application/json" };
  let body;
  if (item.files) {
    body = new FormData();
    for (const [k, v] of Object.entries(item.fields || {})) body.append(k, v);
    item.files.forEach((f, i) => body.append("photos", f, f.name || `photo-${i}.jpg`));
  } else {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(item.json);
  }
  if (item.ifMatch) headers["If-Match"] = `"${item.ifMatch}"`;
  const r = await fetch(item.url, { method: item.method || "POST", headers, body, credentials: "same-origin" });
  return { status: r.status, data: await r.json().catch(() => null) };
}

// Sends the waiting items oldest first; stops at the first network error. Returns {key: result}.
export function flush() {
  flushing ??= (async () => {
    const results = {};
    const items = (await list()).filter((i) => i.status === "waiting").sort((a, b) => a.created - b.created);
    for (const item of items) {
      let r;
      try { r = await send(item); } catch { break; }
      results[item.key] = r;
      if (r.status < 300) await remove(item.key);
      else if (r.status === 412) await put({ ...item, status: "conflict", server: r.data?.current });
      else if (r.status === 409) await put({ ...item, status: "refused", server: r.data });
      else if (r.status >= 500 || r.status === 401) break;  // try again later (or after signing in)
      else await put({ ...item, status: "failed", server: r.data });
    }
    return results;
  })().finally(() => { flushing = null; });
  return flushing;
}

addEventListener("online", () => flush());
