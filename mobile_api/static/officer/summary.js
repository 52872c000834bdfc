// Summary panel for one clicked field.
import { el, num, t } from '/static/tech/core.js';

export function showSummary(p) {
  const s = p.status || {};
  const box = document.getElementById('summary');
  const row = (k, v) => el('div', { class: 'row' }, el('dt', { text: t(k) }), el('dd', { text: v }));
  const risk = s.risk_disease ? `${t(`risk_${s.risk}`)} — ${t(`disease_${s.risk_disease}`)}` : t(`risk_${s.risk}`);
  box.replaceChildren(
    el('h2', { text: p.name }),
    el('dl', {},
      row('farm', p.farm),
      row('commune', p.commune),
      row('crop', t(`crop_${p.crop}`)),
      row('area', `${num(p.area.sao, 1)} ${t('sao')} (${num(p.area.m2, 0)} m²)`),
      row('soil_moisture', s.soil_vwc === null || s.soil_vwc === undefined ? '—' : `${num(s.soil_vwc * 100, 0)} %`),
      row('disease_risk', risk),
      row('irrigation', s.irrigation_need ? t('irrigation_need') : t(`irr_${s.irrigation}`)),
      row('harvest', s.harvest_locked ? t('harvest_locked_until', { day: s.safe_from || '?' }) : t('harvest_open')),
      row('diagnoses', t('diagnoses_line', { confirmed: p.diagnoses.confirmed, suspected: p.diagnoses.suspected })),
      row('nodes', String(p.nodes))),
    el('button', { type: 'button', class: 'close', text: t('close'), onclick: () => { box.hidden = true; } }));
  box.hidden = false;
  box.parentElement.scrollTop = 0;
}
