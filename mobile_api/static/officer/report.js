// Commune report: one row per commune (counts only) and one per farm that shares its detail;
// CSV for Vietnamese Excel, XLSX and PDF downloads in the page's language, and print.
import { api, dateTime, el, getLang, num, t } from '/static/tech/core.js';

const COLUMNS = ['commune', 'farms', 'fields', 'fields_shared', 'area_ha', 'crops', 'nodes_online', 'alerts',
  'cases_confirmed', 'cases_suspected', 'reviews_pending', 'lots', 'lots_with_warnings'];
const FARM_COLUMNS = ['commune', 'farm', 'fields', 'area_ha', 'crops', 'nodes_online', 'alerts',
  'cases_confirmed', 'cases_suspected', 'reviews_pending', 'lots', 'lots_not_compliant'];
const TEXT = ['commune', 'farm', 'crops'];

function cell(row, key) {
  if (key === 'crops') return Object.entries(row.crops).map(([c, n]) => `${t(`crop_${c}`)} (${n})`).join(', ');
  if (key === 'area_ha') return num(row.area_ha, 2);
  if (key === 'nodes_online') return `${num(row.nodes_online, 0)} / ${num(row.nodes, 0)}`;
  if (key === 'commune' || key === 'farm') return row[key];
  return num(row[key], 0);
}

export async function loadReport() {
  const days = document.getElementById('f-days').value || '14';
  const r = await api(`/api/v1/officer/report?days=${encodeURIComponent(days)}`);
  const q = `days=${encodeURIComponent(days)}&lang=${getLang()}`;
  document.getElementById('report-csv').href = `/api/v1/officer/report?format=csv&${q}`;
  document.getElementById('report-csv-farms').href = `/api/v1/officer/report?format=csv&rows=farms&${q}`;
  document.getElementById('report-xlsx').href = `/api/v1/officer/report?format=xlsx&${q}`;
  document.getElementById('report-pdf').href = `/api/v1/officer/report?format=pdf&${q}`;
  document.getElementById('report-title').textContent = t('report_title', {
    from: dateTime(r.since), to: dateTime(r.until) });
  const head = (c) => el('th', { text: t(`col_${c}`), class: TEXT.includes(c) ? 'text' : null });
  document.getElementById('report-head').replaceChildren(...COLUMNS.map(head));
  document.getElementById('report-body').replaceChildren(...r.communes.map((row) => el('tr', {},
    ...COLUMNS.map((c) => el('td', { text: cell(row, c), class: TEXT.includes(c) ? 'text' : null })))));
  document.getElementById('report-farm-head').replaceChildren(...FARM_COLUMNS.map(head));
  document.getElementById('report-farm-body').replaceChildren(...r.farms.map((row) => el('tr', {},
    ...FARM_COLUMNS.map((c) => el('td', { text: cell(row, c), class: TEXT.includes(c) ? 'text' : null })))));
  const print = document.getElementById('report-print');
  print.onclick = () => window.print();
}
