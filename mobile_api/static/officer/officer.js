// Officer page: sign-in, tabs and language; the map, review desk and report live in their modules.
import { startPage, t } from '/static/tech/core.js';
import { initMap, refreshMap } from '/static/officer/map.js';
import { loadReviews } from '/static/officer/review.js';
import { loadReport } from '/static/officer/report.js';
import { loadAlerts } from '/static/officer/alerts.js';

const views = { map: refreshMap, review: loadReviews, report: loadReport, alerts: loadAlerts };
let active = 'map';

function show(tab) {
  active = tab;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${tab}`; });
  history.replaceState(null, '', `#${tab}`);
  return views[tab]();
}

async function start() {
  const user = await startPage('/static/officer', ['officer', 'admin'], () => views[active]());
  if (!user) return;
  document.getElementById('who').textContent = user.name;
  document.getElementById('tabs').hidden = false;
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  document.getElementById('view-map').hidden = false;
  await initMap();
  const wanted = location.hash.slice(1);
  await show(views[wanted] ? wanted : 'map');
  document.body.dataset.ready = '1';
}

start().catch((e) => {
  document.body.dataset.ready = 'error';
  const box = document.getElementById('toast');
  box.textContent = `${t('load_failed')}: ${e.message}`;
  box.hidden = false;
});
