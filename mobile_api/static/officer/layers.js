// The map's offline reference layers and its legend: commune boundaries with their names (the layer a
// deployment imports, see server/officer/data/README.md), and one legend entry for every layer drawn
// (fields, nodes, outbreak density, cases, boundaries). Popups open on a tap, not on hover.
import { api, dateTime, el, pick, t } from '/static/tech/core.js';
import { NODE_COLOURS, SCALES } from '/static/officer/colours.js';

export const BOUNDARY = { mine: '#1b5e20', other: '#546e7a' };
let boundaryInfo = { installed: false };

// Boundaries under everything else; a name label at each commune's centre (always shown: no hover).
export async function drawBoundaries(map, layer) {
  const b = await api('/api/v1/officer/boundaries');
  boundaryInfo = b;
  layer.clearLayers();
  for (const f of b.features) {
    const mine = f.properties.mine;
    const shape = L.geoJSON(f, { pane: 'boundaries', interactive: false,
      style: { color: mine ? BOUNDARY.mine : BOUNDARY.other, weight: mine ? 3 : 2, dashArray: mine ? null : '6 5',
        fill: false, className: `commune-boundary${mine ? ' mine' : ''}` } });
    shape.addTo(layer);
    // The name just inside the commune's northern edge: its centre is where the fields usually are.
    const box = shape.getBounds();
    L.tooltip({ permanent: true, direction: 'bottom', offset: [0, 2], className: `commune-label${mine ? ' mine' : ''}`,
      pane: 'boundaryLabels' }).setLatLng([box.getNorth(), box.getCenter().lng]).setContent(f.properties.name).addTo(layer);
  }
  return b;
}

// Tap a field, a node or a case: a popup says what it is, in the chosen language.
export function fieldPopup(p) {
  return t('popup_field', { name: p.name, crop: t(`crop_${p.crop}`), farm: p.farm });
}

export function nodePopup(p) {
  return t('popup_node', { id: p.name || p.id, state: t(`state_${p.state}`) });
}

// One line per case at the spot (newest first), each with the vocabulary's name of its disease.
export function casePopup(cases) {
  const list = el('ul', { class: 'popup-cases' }, ...[...cases].sort((a, b) => b.created_at - a.created_at).map((c) =>
    el('li', { text: t('popup_case', { name: c.name ? pick(c.name) : t('unknown_disease'), status: t(`case_${c.status}`),
      day: dateTime(c.created_at) }) })));
  return list;
}

const item = (swatchClass, text) => el('li', {}, el('span', { class: `swatch ${swatchClass}` }), el('span', { text }));

function section(title, ...items) {
  return el('li', { class: 'legend-group' }, el('strong', { text: title }), el('ul', {}, ...items));
}

// The legend: every layer that is on, each colour with its meaning; the boundary source as credit.
export function legend(by, opts) {
  const groups = [section(t('legend_fields'), ...SCALES[by].map(([k]) => item(`sw-${by}-${k}`, t(`legend_${by}_${k}`))))];
  if (opts.nodes) {
    groups.push(section(t('legend_nodes'), ...Object.keys(NODE_COLOURS).map((k) => item(`sw-node sw-node-${k}`, t(`state_${k}`)))));
  }
  if (opts.outbreak) {
    const levels = opts.levels || [];
    groups.push(section(t('legend_density'),
      ...levels.map((n, i) => item(`sw-density sw-density-${i + 1}`, t('legend_density_level', { n: String(n).replace('.', ',') })))));
    groups.push(section(t('legend_cases'), item('sw-case sw-case-confirmed', t('case_confirmed')),
      item('sw-case sw-case-suspected', t('case_suspected'))));
  }
  const b = boundaryInfo;
  groups.push(b.installed
    ? section(t('legend_boundaries'), item('sw-boundary-mine', t('boundary_mine')), item('sw-boundary-other', t('boundary_other')),
      el('li', { class: 'source', text: t('boundaries_source', { source: b.source, licence: b.licence }) }))
    : section(t('legend_boundaries'), el('li', { class: 'source', text: t('boundaries_missing') })));
  document.getElementById('legend').replaceChildren(...groups);
}
