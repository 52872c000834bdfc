// Officer page: sign-in, tabs and language; the map, review desk and report live in their modules.
import { applyStrings, currentUser, getLang, loadStrings, setLang, signIn, t } from '/static/tech/core.js';
import { initMap, refreshMap } from '/static/officer/map.js';
import { loadReviews } from '/static/officer/review.js';
import { loadReport } from '/static/officer/report.js';

const views = { map: refreshMap, review: loadReviews, report: loadReport };
let active = 'map';

function show(tab) {
  active = tab;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${tab}`; });
  history.replaceState(null, '', `#${tab}`);
  return views[tab]();
}

async function start() {
  await loadStrings('/static/officer');
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
  document.getElementById('who').textContent = user.name;
  if (!['officer', 'admin'].includes(user.role)) {
    document.getElementById('denied').hidden = false;
    return;
  }
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
