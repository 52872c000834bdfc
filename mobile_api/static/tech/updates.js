// Firmware updates: upload a bundle made by `farm node bundle`, start a staged rollout (a few pilot
// nodes first, the rest once those confirmed it), watch each node's progress, stop a rollout, and see
// which version every node runs. The rules live on the server (server/technician/firmware.py); the
// nodes' own reports arrive with the gateway's fleet push, so the screen shows what the nodes said.
import { api, csrf, dateTime, el, num, serverMessage, t, toast } from '/static/tech/core.js';

const $ = (id) => document.getElementById(id);
let data = { bundles: [], rollouts: [], nodes: [] };

export function initUpdates() {
  $('fw-upload').addEventListener('submit', upload);
  $('fw-start').addEventListener('submit', start);
}

export async function loadUpdates() {
  data = await api('/api/v1/tech/firmware');
  render();
}

const version = (v) => (v === null || v === undefined ? t('fw_unknown') : `v${v}`);
const kb = (bytes) => `${num(bytes / 1024, 1)} KB`;

function render() {
  $('fw-bundles').replaceChildren(...data.bundles.map((b) => el('li', { class: 'fw-line', 'data-version': String(b.version) },
    el('strong', { text: `v${b.version}` }),
    ` · ${b.board} · ${kb(b.size)} · ${t('fw_chunks_n', { n: b.chunks })} · ${t('fw_min_batt', { v: num(b.min_batt_v, 2) })}`,
    ` · ${dateTime(b.created_at)}`, b.note ? ` · ${b.note}` : '')));
  $('fw-no-bundles').hidden = data.bundles.length > 0;
  const sel = $('fw-start').version;
  sel.replaceChildren(...data.bundles.map((b) => el('option', { value: String(b.version), text: `v${b.version}` })));
  $('fw-start').hidden = data.bundles.length === 0;
  $('fw-roles').replaceChildren(...data.nodes.map((n) => el('label', { class: 'pair fw-role' },
    el('span', { text: `${t('node')} ${n.id} — ${n.field || t('no_field')} (${version(n.fw_version)})` }),
    el('select', { name: `role-${n.id}`, 'data-node': String(n.id) },
      el('option', { value: '', text: t('fw_role_none') }),
      el('option', { value: 'pilot', text: t('fw_role_pilot') }),
      el('option', { value: 'rest', text: t('fw_role_rest') })))));
  $('fw-rollouts').replaceChildren(...data.rollouts.map(rolloutCard));
  $('fw-no-rollouts').hidden = data.rollouts.length > 0;
  $('fw-running').replaceChildren(...data.nodes.map((n) => el('li', { class: 'fw-line', 'data-node': String(n.id) },
    el('span', { text: `${t('node')} ${n.id}: ` }), el('strong', { text: version(n.fw_version) }),
    n.fw_state ? ` (${t(`fw_state_${n.fw_state}`)})` : '')));
}

// Why a rollout stopped, in the page's language: the node that failed and what it reported.
function stoppedWhy(r) {
  const bad = r.nodes.find((n) => n.outcome === 'failed');
  if (!bad) return t('fw_stopped_by_hand');
  return t('fw_stopped_because', { node: bad.id, state: bad.fw_state ? t(`fw_state_${bad.fw_state}`) : t('fw_unknown') });
}

function rolloutCard(r) {
  const active = r.state === 'pilot' || r.state === 'wide';
  const rows = r.nodes.map((n) => el('tr', { 'data-node': String(n.id), 'data-outcome': n.outcome },
    el('td', { text: `${n.id}${n.pilot ? ` (${t('fw_pilot')})` : ''}` }),
    el('td', { text: t(`fw_outcome_${n.outcome}`) }),
    el('td', { text: version(n.fw_version) }),
    el('td', { text: n.progress && n.progress[1] ? `${n.progress[0]}/${n.progress[1]}` : '—' })));
  return el('article', { class: `rollout fw-${r.state}`, 'data-rollout': String(r.id), 'data-state': r.state },
    el('h3', {}, el('span', { text: `v${r.version}` }), ' ',
      el('span', { class: `badge fw-b-${r.state}`, text: t(`fw_rollout_${r.state}`) })),
    r.state === 'stopped' ? el('p', { class: 'error', text: stoppedWhy(r) }) : null,
    el('table', { class: 'fw-table' },
      el('thead', {}, el('tr', {}, ...['node', 'fw_outcome', 'fw_running', 'fw_progress'].map((k) => el('th', { text: t(k) })))),
      el('tbody', {}, ...rows)),
    active ? el('button', { type: 'button', class: 'danger', text: t('fw_stop'), onclick: () => stop(r.id) }) : null);
}

async function upload(e) {
  e.preventDefault();
  const f = e.target;
  const file = f.bundle.files[0];
  if (!file) { toast(t('fw_pick_file'), 'error'); return; }
  const body = new FormData();
  body.append('bundle', file);
  body.append('note', f.note.value);
  try {
    const r = await fetch('/api/v1/tech/firmware/bundles', { method: 'POST', credentials: 'same-origin', body,
      headers: { Accept: 'application/json', 'X-CSRF-Token': csrf() } });
    const b = await r.json();
    if (!r.ok) throw new Error(serverMessage(b) || String(r.status));
    toast(t('fw_uploaded', { v: `v${b.version}` }));
    f.reset();
    await loadUpdates();
  } catch (err) { toast(err.message, 'error'); }
}

async function start(e) {
  e.preventDefault();
  const pilot = []; const nodes = [];
  document.querySelectorAll('#fw-roles select').forEach((s) => {
    if (s.value === 'pilot') pilot.push(Number(s.dataset.node));
    if (s.value) nodes.push(Number(s.dataset.node));
  });
  if (!pilot.length) { toast(t('err_fw_no_pilot'), 'error'); return; }
  try {
    await api('/api/v1/tech/firmware/rollouts', { method: 'POST',
      body: { version: Number(e.target.version.value), pilot, nodes } });
    toast(t('fw_started'));
    await loadUpdates();
  } catch (err) { toast(err.message, 'error'); }
}

async function stop(id) {
  try {
    await api(`/api/v1/tech/firmware/rollouts/${id}/stop`, { method: 'POST' });
    await loadUpdates();
  } catch (err) { toast(err.message, 'error'); }
}
