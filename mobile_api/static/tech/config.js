// Push a config change (interval, thresholds) and watch the node acknowledge it.
// The form starts from the node's current config (GET …/config → current), thresholds are typed in
// the unit the channel catalogue displays (/api/v1/channels: soil water in %, stored in m³/m³) and
// converted with its scale; the server checks ranges and order and its refusal is shown in words.
// "Applied" is only what the node reported in its config_version channel.
import { ago, api, dateTime, el, num, t, toast } from '/static/tech/core.js';
import { fillNodeSelects } from '/static/tech/tech.js';

const form = () => document.getElementById('config');
const THRESHOLD_CHANNEL = 'soil_vwc';
let channel = null; // the catalogue entry of THRESHOLD_CHANNEL
let filledFor = null; // the node whose config the form shows: a language switch keeps what was typed
const dec = (v) => (String(v).trim() === '' ? null : Number(String(v).trim().replace(',', '.')));

export function initConfig() {
  form().addEventListener('submit', push);
  form().node.addEventListener('change', () => status(true));
}

export async function loadConfig() {
  if (!channel) {
    const cat = await api('/api/v1/channels');
    channel = (cat.channels || cat).find((c) => c.key === THRESHOLD_CHANNEL);
  }
  const unit = channel.display_unit;
  const range = `${num(channel.valid_min * channel.display_scale, 0)}\u2060–\u2060${num(channel.valid_max * channel.display_scale, 0)}\u00a0${unit}`;
  document.getElementById('threshold-hint').textContent = t('threshold_hint', { range });
  form().querySelectorAll('.unit').forEach((u) => { u.textContent = unit; });
  await fillNodeSelects();
  await status(false);
}

function fill(current) {
  const f = form();
  f.interval_min.value = current.interval_s ? String(Math.round(current.interval_s / 60)) : '';
  const pair = (current.thresholds || {})[THRESHOLD_CHANNEL];
  const shown = (v) => num(v * channel.display_scale, 1);
  f.vwc_low.value = pair ? shown(pair[0]) : '';
  f.vwc_high.value = pair ? shown(pair[1]) : '';
}

async function push(ev) {
  ev.preventDefault();
  const f = form();
  const out = document.getElementById('config-error');
  out.textContent = '';
  const body = { interval_s: Number(f.interval_min.value) * 60 };
  const low = dec(f.vwc_low.value);
  const high = dec(f.vwc_high.value);
  if (low !== null || high !== null) {
    if (low === null || high === null || Number.isNaN(low) || Number.isNaN(high)) {
      out.textContent = t('err_threshold_number'); return;
    }
    const scale = channel.display_scale; // the catalogue's: displayed ÷ scale = the node's unit
    body.thresholds = { [THRESHOLD_CHANNEL]: [low / scale, high / scale].map((v) => Math.round(v * 10000) / 10000) };
  }
  try {
    const r = await api(`/api/v1/tech/nodes/${f.node.value}/config`, { method: 'POST', body });
    toast(t('config_pushed', { v: r.version }));
    await status(false);
  } catch (e) {
    out.textContent = e.message;
    toast(`${t('config_failed')}: ${e.message}`, 'error');
  }
}

async function status(refill) {
  const id = form().node.value;
  if (!id) return;
  const r = await api(`/api/v1/tech/nodes/${id}/config`);
  if (refill || filledFor !== id) { fill(r.current); filledFor = id; }
  const now = Date.now() / 1000;
  let head;
  if (!r.pending) head = t('config_acked', { v: r.desired, at: dateTime(r.reported_at) });
  else if (r.reported === null) head = t('config_waiting_none', { v: r.desired });
  else head = t('config_waiting_n', { v: r.desired, reported: r.reported, ago: ago(now - r.reported_at) });
  document.getElementById('config-status').replaceChildren(
    el('p', { class: r.pending ? 'pending' : 'applied', 'data-pending': String(r.pending),
      'data-desired': String(r.desired), 'data-reported': r.reported === null ? '' : String(r.reported), text: head }),
    el('ul', { class: 'plain' }, ...r.versions.map((v) => el('li', { 'data-version': String(v.version) },
      el('strong', { text: `${t('version_n', { v: v.version })} · ${dateTime(v.created_at)}` }),
      el('span', { text: [t('interval_line', { m: num((v.body.interval_s || 900) / 60, 0) }),
        v.applied_at ? t('acked_at', { at: dateTime(v.applied_at) }) : t('not_acked')].join(' · ') })))));
}
