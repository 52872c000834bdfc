// Push a config change (interval, thresholds) and watch the node report it applied.
import { api, dateTime, el, num, t, toast } from '/static/tech/core.js';
import { fillNodeSelects } from '/static/tech/tech.js';

const form = () => document.getElementById('config');

export function initConfig() {
  form().addEventListener('submit', push);
  form().node.addEventListener('change', status);
}

export async function loadConfig() {
  await fillNodeSelects();
  await status();
}

async function push(ev) {
  ev.preventDefault();
  const f = form();
  const low = Number(f.vwc_low.value.replace(',', '.'));
  const high = Number(f.vwc_high.value.replace(',', '.'));
  try {
    const r = await api(`/api/v1/tech/nodes/${f.node.value}/config`, { method: 'POST', body: {
      interval_s: Number(f.interval_min.value) * 60, thresholds: { soil_vwc: [low, high] } } });
    toast(t('config_pushed', { v: r.version }));
    await status();
  } catch (e) { toast(`${t('config_failed')}: ${e.message}`, 'error'); }
}

async function status() {
  const id = form().node.value;
  if (!id) return;
  const r = await api(`/api/v1/tech/nodes/${id}/config`);
  const head = r.pending
    ? t('config_waiting', { desired: r.desired, reported: r.reported === null ? '—' : num(r.reported, 0) })
    : t('config_applied', { v: r.desired });
  document.getElementById('config-status').replaceChildren(
    el('p', { class: r.pending ? 'pending' : 'applied', 'data-pending': String(r.pending), text: head }),
    el('ul', { class: 'plain' }, ...r.versions.map((v) => el('li', {},
      el('strong', { text: `v${v.version}` }),
      el('span', { text: [t('interval_line', { m: num((v.body.interval_s || 900) / 60, 0) }),
        v.applied_at ? t('applied_at', { at: dateTime(v.applied_at) }) : t('not_applied')].join(' · ') })))));
}
