// Technician page: sign-in, tabs, language, offline indicator and the /tech/ service worker.
import { api, applyStrings, currentUser, el, getLang, loadStrings, setLang, signIn, t } from '/static/tech/core.js';
import { loadFleet } from '/static/tech/fleet.js';
import { initProvision, loadProvision } from '/static/tech/provision.js';
import { initCalibrate, loadCalibrate } from '/static/tech/calibrate.js';
import { initConfig, loadConfig } from '/static/tech/config.js';
import { flushQueue } from '/static/tech/queue.js';

const views = { fleet: loadFleet, provision: loadProvision, calibrate: loadCalibrate, config: loadConfig };
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
  await loadStrings('/static/tech');
  const langBtn = document.getElementById('lang');
  langBtn.textContent = getLang() === 'vi' ? 'EN' : 'VI';
  langBtn.addEventListener('click', async () => {
    await setLang(getLang() === 'vi' ? 'en' : 'vi');
    langBtn.textContent = getLang() === 'vi' ? 'EN' : 'VI';
    applyStrings(document);
    await views[active]();
  });
  let user = await currentUser();
  if (!user) user = await signIn(document.getElementById('login'));
  if (!['technician', 'admin'].includes(user.role)) { document.getElementById('denied').hidden = false; return; }
  document.getElementById('tabs').hidden = false;
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  initProvision(); initCalibrate(); initConfig(); network();
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
