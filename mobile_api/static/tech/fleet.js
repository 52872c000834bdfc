// Fleet health: the "needs a visit" list (most urgent first), a map of the nodes, every node's card
// with a directions link to where it stands; the cards can be searched and sorted.
import { ago, api, el, num, pick, t } from '/static/tech/core.js';
import { hasSerial, serialCard } from '/static/tech/serial.js';

const COLOURS = { online: '#2e7d32', sensor_fault: '#ef6c00', offline: '#c62828', new: '#616161' };
let map; let layer;
let nodes = [];

// Android opens geo: in whichever map app the phone has (offline maps included); elsewhere a web map
// gives directions. RFC 5870 for geo:, the label in parentheses is Android's convention.
export function directionsHref(n, ua = navigator.userAgent) {
  const at = `${n.lat},${n.lon}`;
  if (/Android/i.test(ua)) return `geo:${at}?q=${at}(${encodeURIComponent(`${t('node')} ${n.id}`)})`;
  return `https://www.google.com/maps/dir/?api=1&destination=${at}`;
}

const SORTS = {
  urgency: (a, b) => ((b.reasons[0] || {}).urgency || 0) - ((a.reasons[0] || {}).urgency || 0) || a.id - b.id,
  last_seen: (a, b) => (b.age_s ?? Infinity) - (a.age_s ?? Infinity) || a.id - b.id,
  battery: (a, b) => (a.battery_v ?? Infinity) - (b.battery_v ?? Infinity) || a.id - b.id,
  id: (a, b) => a.id - b.id,
  field: (a, b) => (a.field || '').localeCompare(b.field || '', 'vi') || a.id - b.id,
};

// Folds Vietnamese diacritics (and đ) so "vinh tuong" finds "Vĩnh Tường".
const fold = (s) => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase();

function renderCards() {
  const q = fold(document.getElementById('node-search').value.trim());
  const sort = SORTS[document.getElementById('node-sort').value] || SORTS.urgency;
  const shown = nodes.filter((n) => !q || fold(`${n.id} ${n.name || ''} ${n.field || ''}`).includes(q)).sort(sort);
  document.getElementById('nodes').replaceChildren(...shown.map(nodeCard));
  document.getElementById('nodes-count').textContent = t('nodes_shown', { n: shown.length, total: nodes.length });
}

export function initFleet() {
  document.getElementById('node-search').addEventListener('input', renderCards);
  document.getElementById('node-sort').addEventListener('change', renderCards);
}

function nodeCard(n) {
  const line = (k, v) => el('div', { class: 'kv' }, el('span', { text: t(k) }), el('strong', { text: v }));
  const cfg = n.config.reported === null || n.config.reported === undefined
    ? t('config_line_unknown', { desired: n.config.desired })
    : t('config_line', { desired: n.config.desired, reported: num(n.config.reported, 0) });
  // data-presence/-battery/-link: the common verdict the farmer, officer and gateway screens also give
  const h = n.health || {};
  return el('article', { class: `node st-${n.state}`, 'data-node': String(n.id), 'data-state': n.state,
    'data-presence': h.presence, 'data-battery': h.battery, 'data-link': h.link },
    el('h3', {}, el('span', { text: `${t('node')} ${n.id}` }), el('span', { class: `badge b-${n.state}`,
      text: t(`state_${n.state}`) })),
    el('p', { class: 'muted', text: n.field || t('no_field') }),
    line('last_seen', ago(n.age_s)),
    line('battery', n.battery_v === null ? '—' : `${num(n.battery_v, 2)} V`),
    line('days_left', n.days_left === null ? '—' : t('n_days', { n: num(n.days_left, 0) })),
    line('signal', n.rssi === null ? '—' : `${num(n.rssi, 0)} dBm`),
    line('frame_loss', n.frame_loss === null ? '—' : `${num(n.frame_loss * 100, 0)} %`),
    line('faults', Object.keys(n.faults).join(', ') || t('none')),
    line('firmware', n.firmware || '—'),
    line('config', cfg),
    n.lat !== null && n.lon !== null
      ? el('p', { class: 'go' }, el('a', { class: 'button directions', href: directionsHref(n), target: '_blank',
        rel: 'noopener', text: t('directions') }), ' ', el('span', { class: 'muted', text: `${num(n.lat, 5)}, ${num(n.lon, 5)}` }))
      : null,
    hasSerial() ? el('button', { type: 'button', class: 'serial-open', 'data-action': 'serial-open', text: t('serial_open'),
      onclick: (ev) => ev.currentTarget.replaceWith(serialCard(n.id)) }) : null);
}

function drawMap(nodes) {
  if (!window.L) return;
  if (!map) {
    map = L.map('fleet-map', { attributionControl: false }).setView([21.28, 105.53], 11);
    layer = L.featureGroup().addTo(map);
  }
  layer.clearLayers();
  for (const n of nodes.filter((x) => x.lat !== null && x.lon !== null)) {
    const urgent = n.reasons.length ? n.reasons[0].urgency : 0;
    L.circleMarker([n.lat, n.lon], { radius: urgent >= 60 ? 10 : 7, color: urgent >= 60 ? '#000' : '#fff', weight: 2,
      fillColor: COLOURS[n.state] || '#616161', fillOpacity: 1, className: `node-dot st-${n.state}` })
      .bindTooltip(`${n.id}: ${n.reasons.length ? pick(n.reasons[0]) : t(`state_${n.state}`)}`).addTo(layer);
  }
  map.invalidateSize(); // the view may have been hidden since the map was made
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 17, animate: false });
}

export async function loadFleet() {
  const r = await api('/api/v1/tech/fleet');
  const visits = r.needs_visit.map((v) => el('li', { class: 'visit', 'data-node': String(v.id) },
    el('strong', { text: `${t('node')} ${v.id} — ${v.field || t('no_field')}` }),
    el('ul', {}, ...v.reasons.map((x) => el('li', { class: `reason r-${x.code}`, text: pick(x) })))));
  document.getElementById('visits').replaceChildren(...visits);
  document.getElementById('no-visits').hidden = visits.length > 0;
  nodes = r.nodes;
  renderCards();
  drawMap(r.nodes);
}
