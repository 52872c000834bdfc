// Offline queue for provisioning: registrations wait in IndexedDB and are sent when back online.
// Re-sending is safe: the server answers a replayed registration with the node it already made.
import { api } from '/static/tech/core.js';

const DB = 'ruongso-tech';
const STORE = 'provision-queue';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'node_id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
    t.onerror = () => reject(t.error);
  });
}

export const enqueue = (body) => tx('readwrite', (s) => s.put(body));
export const queued = () => tx('readonly', (s) => s.getAll());
const drop = (id) => tx('readwrite', (s) => s.delete(id));

// Sends what waits; returns the nodes made. Stops at the first network failure (still offline).
export async function flushQueue() {
  const made = [];
  for (const body of await queued()) {
    try {
      made.push(await api('/api/v1/tech/nodes', { method: 'POST', body }));
      await drop(body.node_id);
    } catch (e) {
      if (!e.status) break; // network: keep it for later
      await drop(body.node_id); // refused by the server: keeping it would retry forever
      made.push({ error: e.message, node_id: body.node_id });
    }
  }
  return made;
}
