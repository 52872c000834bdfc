// Guided probe calibration: dry reading, wet reading, optional gravimetric point; then save, which
// stores a new calibration version and pushes it to the node in a new signed config.
import { ago, api, dateTime, el, num, t, toast } from '/static/tech/core.js';
import { fillNodeSelects } from '/static/tech/tech.js';

const form = () => document.getElementById('calibrate');
const dec = (v) => (v === '' || v === null || v === undefined ? null : Number(String(v).replace(',', '.')));

export function initCalibrate() {
  form().addEventListener('submit', save);
  form().node.addEventListener('change', () => {
    form().querySelectorAll('.raw-note').forEach((n) => { n.textContent = ''; delete n.dataset.state; });
    return history();
  });
  form().querySelectorAll('[data-read]').forEach((b) => b.addEventListener('click', () => readNow(b.dataset.read)));
}

export async function loadCalibrate() {
  await fillNodeSelects();
  await history();
}

// The newest raw value the node sent, however old, with its time: the technician sees whether it
// is the reading of the probe now in the sample (sent after it was put there) or an older one.
async function readNow(target) {
  const note = form().querySelector(`[data-note="${target}"]`);
  const r = await api(`/api/v1/tech/nodes/${form().node.value}/raw`);
  if (r.raw_mv === null) {
    const text = r.last_seen === null ? t('raw_never_heard')
      : t('raw_not_sent', { ago: ago(Date.now() / 1000 - r.last_seen) });
    note.textContent = text;
    note.dataset.state = 'none';
    toast(text, 'error');
    return;
  }
  form()[target].value = String(r.raw_mv);
  note.textContent = t('raw_sent_at', { mv: num(r.raw_mv, 0), at: dateTime(r.time), ago: ago(r.age_s) });
  note.dataset.state = 'read';
  note.dataset.time = String(r.time);
}

async function save(ev) {
  ev.preventDefault();
  const f = form();
  const body = { dry_mv: dec(f.dry_mv.value), wet_mv: dec(f.wet_mv.value), wet_vwc: dec(f.wet_vwc.value), points: [] };
  if (f.g_raw.value && f.g_wet.value && f.g_dry.value) {
    body.points.push({ raw_mv: dec(f.g_raw.value), wet_g: dec(f.g_wet.value), dry_g: dec(f.g_dry.value),
      bulk_density: dec(f.g_bd.value) });
  }
  try {
    const r = await api(`/api/v1/tech/nodes/${f.node.value}/calibrations`, { method: 'POST', body });
    toast(t('calibration_saved', { v: r.version, c: r.config_version }));
    await history();
  } catch (e) { toast(`${t('calibration_failed')}: ${e.message}`, 'error'); }
}

function describe(c) {
  const k = c.coefficients;
  if (k.model === 'two_point') {
    return t('two_point_line', { dry: num(k.dry_uv / 1000, 0), wet: num(k.wet_uv / 1000, 0), wv: num(k.wet_vwc, 2) });
  }
  return t('piecewise_line', { n: k.points.length });
}

async function history() {
  const id = form().node.value;
  if (!id) return;
  const r = await api(`/api/v1/tech/nodes/${id}/calibrations`);
  const list = document.getElementById('cal-history');
  list.replaceChildren(...r.calibrations.map((c) => el('li', { class: 'cal', 'data-version': String(c.version) },
    el('strong', { text: `v${c.version} · ${dateTime(c.created_at)}` }), el('span', { text: describe(c) }))));
  if (!r.calibrations.length) list.append(el('li', { class: 'muted', text: t('no_calibration') }));
}
