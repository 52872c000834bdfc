// Provisioning: node id (typed or scanned), gateway, field, GPS or typed position, sensors, depth.
// Offline, the registration waits in IndexedDB; the printable QR label follows, and the node is
// finished over the USB cable from this page (serial.js): its key never becomes a file.
import { api, el, num, t, toast } from '/static/tech/core.js';
import { enqueue, queued } from '/static/tech/queue.js';
import { serialCard } from '/static/tech/serial.js';

const form = () => document.getElementById('provision');
let setupDone = false;

export function initProvision() {
  form().addEventListener('submit', submit);
  document.getElementById('gps').addEventListener('click', locate);
  document.getElementById('scan').addEventListener('click', scan);
}

export async function loadProvision() {
  const f = form();
  const s = await api('/api/v1/tech/setup');
  if (!setupDone) {
    f.gateway_id.replaceChildren(...s.gateways.map((g) => el('option', { value: g.id, text: g.name })));
    f.field_id.replaceChildren(...s.fields.map((x) => el('option', { value: x.id, text: `${x.name} (${t(`crop_${x.crop}`)})` })));
    document.getElementById('sensors').append(...s.sensors.map((name) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'sensor', value: name, checked: ['soil', 'battery'].includes(name) }),
      el('span', { text: t(`sensor_${name}`) }))));
    setupDone = true;
  }
  await showQueue();
}

// What waits on the phone; read from IndexedDB only, so it shows offline even when the
// service worker has no copy of the setup answer to serve.
async function showQueue() {
  const waiting = await queued().catch(() => []);
  document.getElementById('queue-note').textContent = waiting.length ? t('queued_n', { n: waiting.length }) : '';
}

function locate() {
  const note = document.getElementById('gps-note');
  if (!navigator.geolocation) { note.textContent = t('gps_unavailable'); return; }
  note.textContent = t('gps_waiting');
  navigator.geolocation.getCurrentPosition((pos) => {
    form().lat.value = pos.coords.latitude.toFixed(6);
    form().lon.value = pos.coords.longitude.toFixed(6);
    note.textContent = t('gps_ok', { m: num(pos.coords.accuracy, 0) });
  }, () => { note.textContent = t('gps_failed'); }, { enableHighAccuracy: true, timeout: 20000 });
}

async function scan() {
  const video = document.getElementById('scan-video');
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) { toast(t('scan_unavailable'), 'error'); return; }
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream; video.hidden = false; await video.play();
  const detector = new BarcodeDetector({ formats: ['qr_code'] });
  const stop = () => { stream.getTracks().forEach((tr) => tr.stop()); video.hidden = true; };
  for (let i = 0; i < 100; i += 1) {
    const codes = await detector.detect(video).catch(() => []);
    const hit = codes.map((c) => { try { return JSON.parse(c.rawValue).rs_node; } catch { return null; } }).find(Boolean);
    if (hit) { form().node_id.value = hit; stop(); return; }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
}

function body() {
  const f = form();
  return { node_id: Number(f.node_id.value), name: f.name.value, gateway_id: Number(f.gateway_id.value),
    field_id: Number(f.field_id.value), lat: Number(f.lat.value.replace(',', '.')),
    lon: Number(f.lon.value.replace(',', '.')), kind: f.kind.value, probe_depth_cm: Number(f.probe_depth_cm.value),
    interval_s: Number(f.interval_min.value) * 60,
    sensors: [...f.querySelectorAll('input[name=sensor]:checked')].map((x) => x.value) };
}

async function submit(ev) {
  ev.preventDefault();
  const b = body();
  try {
    showMade(await api('/api/v1/tech/nodes', { method: 'POST', body: b }));
  } catch (e) {
    if (e.status) { toast(`${t('register_failed')}: ${e.message}`, 'error'); return; }
    await enqueue(b); // no network: keep it on the phone
    toast(t('queued_offline'));
    await showQueue(); // not loadProvision: its setup request fails offline
  }
}

export function showMade(node) {
  const box = document.getElementById('made');
  box.replaceChildren(
    el('h2', { text: t('made_title', { id: node.id }) }),
    el('img', { class: 'qr', src: node.label_svg, alt: t('qr_alt') }),
    el('p', {}, el('button', { type: 'button', text: t('print_label'), onclick: () => window.print() })),
    serialCard(node.id));
  box.hidden = false;
  box.scrollIntoView();
  toast(t('registered', { id: node.id }));
}
