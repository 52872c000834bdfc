// Commune report: one row per commune, counts only; CSV download and print-to-PDF.
import { api, dateTime, el, num, t } from '/static/tech/core.js';

const COLUMNS = ['commune', 'fields', 'fields_shared', 'area_ha', 'crops', 'nodes_online', 'alerts',
  'cases_confirmed', 'cases_suspected', 'reviews_pending', 'lots', 'lots_with_warnings'];

function cell(row, key) {
  if (key === 'crops') return Object.entries(row.crops).map(([c, n]) => `${t(`crop_${c}`)} (${n})`).join(', ');
  if (key === 'area_ha') return num(row.area_ha, 2);
  if (key === 'nodes_online') return `${num(row.nodes_online, 0)} / ${num(row.nodes, 0)}`;
  if (key === 'commune') return row.commune;
  return num(row[key], 0);
}

export async function loadReport() {
  const days = document.getElementById('f-days').value || '14';
  const r = await api(`/api/v1/officer/report?days=${encodeURIComponent(days)}`);
  document.getElementById('report-csv').href = `/api/v1/officer/report?format=csv&days=${encodeURIComponent(days)}`;
  document.getElementById('report-title').textContent = t('report_title', {
    from: dateTime(r.since), to: dateTime(r.until) });
  document.getElementById('report-head').replaceChildren(...COLUMNS.map((c) => el('th', { text: t(`col_${c}`) })));
  document.getElementById('report-body').replaceChildren(...r.communes.map((row) => el('tr', {},
    ...COLUMNS.map((c) => el('td', { text: cell(row, c) })))));
  const print = document.getElementById('report-print');
  print.onclick = () => window.print();
}
