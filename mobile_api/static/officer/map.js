// Field map: polygons coloured by what matters now, node markers, outbreak density, area alerts.
// Tiles only when the server names a tile server; otherwise a plain background (works offline).
import { api, el, t, toast } from '/static/tech/core.js';
import { DENSITY, NODE_COLOURS, colour, fieldClass } from '/static/officer/colours.js';
import { showSummary } from '/static/officer/summary.js';
import { casePopup, drawBoundaries, fieldPopup, legend, nodePopup } from '/static/officer/layers.js';
import { previewAlert } from '/static/officer/alerts.js';

let seq = 0; // only the latest answer is drawn (filters change faster than the server answers)
let map; let fieldLayer; let dotLayer; let nodeLayer; let densityLayer; let alertCircle; let data; let fittedTo = '';
let boundaryLayer;
const $ = (id) => document.getElementById(id);
const DOTS_BELOW_ZOOM = 16;
// A field's popup names it where it was tapped; the map stays put (the officer may tap beside the
// field next, to centre an area alert there), and the full summary opens in the panel.
const FIELD_POPUP = { autoPan: false };

export async function initMap() {
  const settings = await api('/api/v1/officer/settings');
  map = L.map('map', { zoomControl: true, attributionControl: true }).setView([21.28, 105.53], 11);
  if (settings.tiles.url) {
    L.tileLayer(settings.tiles.url, { attribution: settings.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  map.createPane('boundaries').classList.add('boundary-pane'); // commune outlines under everything
  map.createPane('boundaryLabels').classList.add('boundary-label-pane');
  boundaryLayer = L.featureGroup().addTo(map);
  await drawBoundaries(map, boundaryLayer);
  fieldLayer = L.featureGroup().addTo(map);
  dotLayer = L.featureGroup().addTo(map); // small fields are dots until zoomed in
  map.on('zoomend', () => toggle(dotLayer, map.getZoom() < DOTS_BELOW_ZOOM));
  nodeLayer = L.featureGroup().addTo(map);
  map.createPane('density').classList.add('density-pane'); // under the fields, above the background
  densityLayer = L.featureGroup().addTo(map);
  ['f-crop', 'f-commune', 'f-coop', 'f-days'].forEach((id) => $(id).addEventListener('change', refreshMap));
  $('colour-by').addEventListener('change', draw);
  $('l-nodes').addEventListener('change', () => { toggle(nodeLayer, $('l-nodes').checked); showLegend(); });
  $('l-outbreak').addEventListener('change', () => { toggle(densityLayer, $('l-outbreak').checked); showLegend(); });
  map.on('click', (ev) => placeAlert(ev.latlng));
  $('alert-form').addEventListener('submit', sendAlert);
  // An alert may name a disease (from the one disease table): farmers then read its name as the title.
  const kind = $('alert-form').kind;
  kind.append(...settings.diseases.map((d) => Object.assign(document.createElement('option'), { value: d, textContent: t(`disease_${d}`) })));
}

function toggle(layer, on) { if (on) layer.addTo(map); else map.removeLayer(layer); }

function query() {
  const q = new URLSearchParams({ days: $('f-days').value || '14' });
  if ($('f-crop').value) q.set('crop', $('f-crop').value);
  if ($('f-commune').value) q.set('commune', $('f-commune').value);
  if ($('f-coop').value) q.set('cooperative', $('f-coop').value);
  return q.toString();
}

function fillSelect(id, items, label) {
  const sel = $(id);
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: t('all') }),
    ...items.map((i) => el('option', { value: i.value, text: label(i) })));
  sel.value = keep;
}

export async function refreshMap() {
  if (!map) return;
  const mine = ++seq;
  const [m, o] = await Promise.all([api(`/api/v1/officer/map?${query()}`), api(`/api/v1/officer/outbreak?${query()}`)]);
  if (mine !== seq) return;
  data = { map: m, outbreak: o };
  fillSelect('f-crop', m.filters.crops, (i) => t(`crop_${i.value}`));
  fillSelect('f-commune', m.filters.communes, (i) => i.name);
  fillSelect('f-coop', m.filters.cooperatives, (i) => i.name);
  draw();
  map.invalidateSize();
}

function draw() {
  const by = $('colour-by').value;
  [fieldLayer, dotLayer, nodeLayer, densityLayer].forEach((l) => l.clearLayers());
  for (const f of data.map.fields.features) {
    const key = fieldClass(by, f.properties);
    const c = colour(by, key);
    const open = (ev) => { L.DomEvent.stopPropagation(ev); showSummary(f.properties); };
    L.geoJSON(f, { style: { color: '#263238', weight: 2, fillColor: c, fillOpacity: 0.75, className: `field f-${key}` } })
      .on('click', open).bindPopup(fieldPopup(f.properties), FIELD_POPUP).addTo(fieldLayer);
    L.circleMarker(f.properties.centroid, { radius: 11, color: '#263238', weight: 2, fillColor: c, fillOpacity: 0.9,
      className: `field-dot f-${key}` }).on('click', open).bindPopup(fieldPopup(f.properties), FIELD_POPUP).addTo(dotLayer);
  }
  for (const n of data.map.nodes.features) {
    const [lon, lat] = n.geometry.coordinates;
    L.circleMarker([lat, lon], { radius: 7, color: '#fff', weight: 2, fillOpacity: 1,
      fillColor: NODE_COLOURS[n.properties.state] || '#616161', className: `node node-${n.properties.state}` })
      .on('click', L.DomEvent.stopPropagation).bindPopup(nodePopup(n.properties)).addTo(nodeLayer);
  }
  for (const cell of data.outbreak.cells) {
    L.rectangle([[cell.south, cell.west], [cell.north, cell.east]], { stroke: false, fillColor: DENSITY[cell.level],
      fillOpacity: 0.12 + cell.level * 0.1, interactive: false, pane: 'density' }).addTo(densityLayer);
  }
  // Cases at one spot (photos without GPS sit at their field's centre) share one marker and one popup.
  const spots = new Map();
  for (const c of data.outbreak.cases) {
    const key = `${c.lat.toFixed(5)},${c.lon.toFixed(5)}`;
    if (!spots.has(key)) spots.set(key, []);
    spots.get(key).push(c);
  }
  for (const group of spots.values()) {
    const status = group.some((c) => c.status === 'confirmed') ? 'confirmed' : 'suspected';
    L.circleMarker([group[0].lat, group[0].lon], { radius: 7, color: status === 'confirmed' ? '#b71c1c' : '#e65100',
      weight: 2, fillOpacity: 0.9, className: `case case-${status}` }).on('click', L.DomEvent.stopPropagation)
      .bindPopup(casePopup(group)).addTo(densityLayer);
  }
  showLegend();
  outbreakTotals();
  communes();
  const bounds = fieldLayer.getBounds();
  const shown = data.map.fields.features.map((f) => f.properties.id).join(',');
  if (shown !== fittedTo && bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { animate: false }); fittedTo = shown; }
  $('map').dataset.fields = String(data.map.fields.features.length);
  $('map').dataset.nodes = String(data.map.nodes.features.length);
}

function showLegend() {
  if (!data) return;
  legend($('colour-by').value, { nodes: $('l-nodes').checked, outbreak: $('l-outbreak').checked, levels: data.outbreak.levels });
}

function outbreakTotals() {
  const o = data.outbreak;
  const hidden = Object.values(o.not_shared_by_commune).reduce((a, b) => a + b, 0);
  $('outbreak-totals').textContent = t('outbreak_totals', {
    confirmed: o.totals.confirmed || 0, suspected: o.totals.suspected || 0, hidden });
}

function communes() {
  $('communes').replaceChildren(...data.map.communes.map((c) => el('div', { class: 'commune' },
    el('strong', { text: c.name }),
    el('span', { text: t('commune_line', { fields: c.fields, shared: c.fields_shared, online: c.nodes_online,
      nodes: c.nodes, cases: c.cases_confirmed }) }))));
}

function placeAlert(latlng) {
  if (alertCircle) alertCircle.remove();
  const radius = Number($('alert-form').radius.value) || 1000;
  alertCircle = L.circle(latlng, { radius, color: '#b71c1c', dashArray: '6 4', fillOpacity: 0.08 }).addTo(map);
}

// Sending starts with a preview of who the alert reaches (alerts.js), which the officer confirms.
async function sendAlert(ev) {
  ev.preventDefault();
  const f = ev.target;
  if (!alertCircle) { toast(t('alert_pick_centre'), 'error'); return; }
  const c = alertCircle.getLatLng();
  const body = { lat: c.lat, lon: c.lng, radius_m: Number(f.radius.value), severity: f.severity.value,
    message_vi: f.message_vi.value, message_en: f.message_en.value, kind: f.kind.value || 'outbreak' };
  try {
    await previewAlert(body, () => { f.message_vi.value = ''; f.message_en.value = ''; });
  } catch (e) { toast(`${t('alert_failed')}: ${e.message}`, 'error'); }
}
