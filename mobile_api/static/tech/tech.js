// Technician page: sign-in, tabs, language, offline indicator and the /tech/ service worker.
import { api, el, startPage, t } from '/static/tech/core.js';
import { initFleet, loadFleet } from '/static/tech/fleet.js';
import { initProvision, loadProvision } from '/static/tech/provision.js';
import { initCalibrate, loadCalibrate } from '/static/tech/calibrate.js';
import { initConfig, loadConfig } from '/static/tech/config.js';
import { initUpdates, loadUpdates } from '/static/tech/updates.js';
import { flushQueue } from '/static/tech/queue.js';

const views = { fleet: loadFleet, provision: loadProvision, calibrate: loadCalibrate, config: loadConfig,
  updates: loadUpdates };
let active = 'fleet';

// Fills every node <select> from the fleet list (cached by the service worker for offline use).
export async function fillNodeSelects() {
  const fleet = await api('/api/v1/tech/fleet');
  document.querySelectorAll('.node-select').forEach((sel) => {
    const keep = sel.value;
    sel.replaceChildren(...fleet.nodes.map((n) => el('option', { value: n.id,
      text: `${n.id} — ${n.field || t('no_field')} (${t(`state_${n.state}`)})` })));
    if (keep) sel.value = keep;
  });
  return fleet;
}

async function show(tab) {
  active = tab;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${tab}`; });
  history.replaceState(null, '', `#${tab}`);
  await views[tab]();
  window.scrollTo(0, 0);
  document.body.dataset.view = tab;
}

function network() {
  const net = document.getElementById('net');
  const update = () => { net.hidden = navigator.onLine; if (navigator.onLine) flushQueue().catch(() => {}); };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}

async function start() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/tech/sw.js', { scope: '/tech/' }).catch(() => {});
  const user = await startPage('/static/tech', ['technician', 'admin'], () => views[active]());
  if (!user) return;
  document.getElementById('tabs').hidden = false;
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  initProvision(); initCalibrate(); initConfig(); initFleet(); initUpdates(); network();
  const wanted = location.hash.slice(1);
  await show(views[wanted] ? wanted : 'fleet');
  document.body.dataset.ready = '1';
}

start().catch((e) => {
  document.body.dataset.ready = 'error';
  const box = document.getElementById('toast');
  box.textContent = `${t('load_failed')}: ${e.message}`;
  box.hidden = false;
});
