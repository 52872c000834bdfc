// Finishing a node from the browser over Web Serial (Chrome/Edge with a USB cable; issue 18):
// 1. optional, a blank board: MicroPython itself with esptool-js (/vendor/esptool-js, pinned in
//    package.json) at the offset the server's deploy tool uses for the detected chip;
// 2. the node firmware, its signed config and its key, written through MicroPython's raw REPL
//    (Ctrl-A, code, Ctrl-D — what mpremote does), then a soft reset.
// The key arrives in the answer to a POST (no-store) and goes from this page's memory to the device;
// it is never a file on the phone or computer. The Wi-Fi password is typed here and never sent to
// the server, and so is the cooperative's firmware-update key (the server never holds it: see
// docs/firmware-updates.md): checked against the newest uploaded bundle's signed manifest, then
// written into secrets.json as `fw_key`; left empty, the key already on the device is kept.
import { api, el, t } from '/static/tech/core.js';

export const hasSerial = () => 'serial' in navigator;
const BAUD = 115200; // MicroPython's REPL speed on the ESP32 USB-UART
const CHUNK = 256; // bytes per write: what mpremote sends between pauses without raw-paste flow control
const enc = new TextEncoder();
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

const FW_KEY = /^[0-9a-f]{64}$/; // 32 bytes in hex, as `farm node config` takes $FARM_FW_KEY

// Refuses a typed firmware key that is malformed or does not sign the newest uploaded bundle
// (`check`: its manifest as the signature covers it, HMAC-SHA256 over domain + body, hex).
async function checkFwKey(hex, check) {
  if (!FW_KEY.test(hex)) throw new Error(t('serial_fw_key_format'));
  if (!check || !globalThis.crypto?.subtle) return; // nothing to check against: the node still checks each bundle
  const raw = Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(check.domain + check.body)));
  const sig = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  if (sig !== check.sig) throw new Error(t('serial_fw_key_wrong', { version: check.version }));
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// MicroPython's raw REPL over a Web Serial port: exec(code) runs code on the board, returns its output
// and throws with the board's traceback.
class RawRepl {
  constructor(port) { this.port = port; this.text = ''; this.waiting = null; }

  async open() {
    await this.port.open({ baudRate: BAUD });
    this.writer = this.port.writable.getWriter();
    this.reader = this.port.readable.getReader();
    this.pump();
  }

  async pump() {
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.text += dec.decode(value, { stream: true });
        if (this.waiting) this.waiting();
      }
    } catch { /* the port was closed */ }
  }

  async write(data) {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    for (let i = 0; i < bytes.length; i += CHUNK) {
      await this.writer.write(bytes.subarray(i, i + CHUNK));
      if (bytes.length > CHUNK) await sleep(2);
    }
  }

  // Everything the board sent up to `marker` (consumed), or an error after `ms`.
  async until(marker, ms = 10000) {
    const end = Date.now() + ms;
    while (!this.text.includes(marker)) {
      if (Date.now() > end) throw new Error(t('serial_no_answer'));
      await new Promise((r) => { this.waiting = r; setTimeout(r, 100); });
    }
    const i = this.text.indexOf(marker);
    const out = this.text.slice(0, i);
    this.text = this.text.slice(i + marker.length);
    return out;
  }

  async enter() {
    await this.write('\r\x03\x03'); // stop main.py if the node firmware is running
    await sleep(200);
    this.text = '';
    await this.write('\r\x01');
    await this.until('raw REPL; CTRL-B to exit\r\n>');
  }

  async exec(code) {
    await this.write(code);
    await this.write('\x04');
    await this.until('OK');
    const out = await this.until('\x04', 30000);
    const err = await this.until('\x04');
    await this.until('>');
    if (err.trim()) throw new Error(err.trim().split('\n').pop());
    return out;
  }

  async writeFile(path, text) {
    const data = base64(enc.encode(text));
    await this.exec(`from binascii import a2b_base64 as d\nf=open(${JSON.stringify(path)},'wb')\nw=f.write`);
    const per = 2048; // base64 characters per exec
    for (let i = 0; i < data.length; i += per * 4) {
      const lines = [];
      for (let j = i; j < Math.min(i + per * 4, data.length); j += per) lines.push(`w(d(b'${data.slice(j, j + per)}'))`);
      await this.exec(lines.join('\n'));
    }
    await this.exec('f.close()');
  }

  async resetAndClose() {
    await this.write('\x02'); // back to the friendly REPL …
    await sleep(100);
    await this.write('\x04'); // … where Ctrl-D is a soft reset: boot.py and main.py start the node
    await sleep(200);
    await this.close();
  }

  async close() {
    try { await this.reader.cancel(); } catch { /* already closed */ }
    this.reader.releaseLock();
    this.writer.releaseLock();
    await this.port.close();
  }
}

// The firmware key in the device's secrets.json, if it has a valid one (a node written before).
async function deviceFwKey(repl) {
  const out = await repl.exec("import json\ntry:\n print(json.load(open('secrets.json')).get('fw_key', ''))\nexcept Exception:\n print('')");
  const hex = out.trim().toLowerCase();
  return FW_KEY.test(hex) ? hex : '';
}

// Writes firmware + config + keys of node `id`; `progress(done, total)` after each file. Resolves to
// { files, fwKey }: how many files were written and whether the node can verify update bundles.
export async function provisionOverSerial(id, wifiPsk, fwKeyTyped, progress) {
  const port = await navigator.serial.requestPort();
  const answer = await api(`/api/v1/tech/nodes/${id}/device-files`, { method: 'POST', body: {} });
  let fwKey = (fwKeyTyped || '').trim().toLowerCase();
  if (fwKey) await checkFwKey(fwKey, answer.fw_key_check); // before the port opens: nothing written
  const repl = new RawRepl(port);
  await repl.open();
  let files;
  try {
    await repl.enter();
    if (!fwKey) fwKey = await deviceFwKey(repl);
    files = answer.files.map((f) => {
      if (f.path !== 'secrets.json') return f;
      const secrets = { ...JSON.parse(f.text), ...(wifiPsk ? { wifi_psk: wifiPsk } : {}), ...(fwKey ? { fw_key: fwKey } : {}) };
      return { path: f.path, text: JSON.stringify(secrets) };
    });
    answer.files = null; // nothing keeps the keys once they are on their way to the device
    await repl.exec("import os\nfor p in ('lib', 'data'):\n try:\n  os.mkdir(p)\n except OSError:\n  pass");
    for (const [i, f] of files.entries()) {
      await repl.writeFile(f.path, f.text);
      progress(i + 1, files.length);
    }
  } catch (e) {
    await repl.close();
    throw e;
  }
  await repl.resetAndClose();
  return { files: files.length, fwKey: Boolean(fwKey) };
}

// MicroPython onto a blank board with esptool-js; the write offset per chip comes from the server
// (firmware/tools/deploy.py FLASH_OFFSETS, the same as `farm node flash`).
export async function flashMicroPython(id, image, progress) {
  const { ESPLoader, Transport } = await import('/vendor/esptool-js/bundle.js');
  const port = await navigator.serial.requestPort();
  const offsets = (await api(`/api/v1/tech/nodes/${id}/device-files`, { method: 'POST', body: {} })).flash_offsets;
  const transport = new Transport(port, true);
  const terminal = { clean() {}, writeLine() {}, write() {} };
  const loader = new ESPLoader({ transport, baudrate: 460800, terminal });
  await loader.main();
  const chip = loader.chip.CHIP_NAME === 'ESP32-S3' ? 'esp32s3' : 'esp32';
  if (!(chip in offsets)) throw new Error(t('serial_chip_unknown', { chip: loader.chip.CHIP_NAME }));
  await loader.writeFlash({ fileArray: [{ data: new Uint8Array(await image.arrayBuffer()), address: Number(offsets[chip]) }],
    flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: true, compress: true,
    reportProgress: (_, written, total) => progress(written, total) });
  await loader.after('hard_reset');
  await transport.disconnect();
}

// The "write to the node" card: shown after a registration and from a node's card in the fleet.
export function serialCard(id) {
  const status = el('p', { class: 'serial-status', role: 'status' });
  if (!hasSerial()) {
    return el('section', { class: 'serial', 'data-serial': 'none' }, el('h3', { text: t('serial_title') }),
      el('p', { class: 'muted', text: t('serial_unavailable') }));
  }
  const psk = el('input', { type: 'password', name: 'wifi_psk', autocomplete: 'off', maxlength: '63' });
  const fwKey = el('input', { type: 'password', name: 'fw_key', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', maxlength: '64' });
  const image = el('input', { type: 'file', name: 'image', accept: '.bin' });
  const say = (text, state) => { status.textContent = text; status.dataset.state = state; };
  const write = el('button', { type: 'button', class: 'primary', 'data-action': 'serial-write', text: t('serial_write'),
    onclick: async () => {
      write.disabled = true;
      try {
        const r = await provisionOverSerial(id, psk.value, fwKey.value, (done, total) => say(t('serial_progress', { done, total }), 'busy'));
        say(`${t('serial_done', { id, n: r.files })} ${t(r.fwKey ? 'serial_fw_key_on' : 'serial_fw_key_off')}`, 'done');
        status.dataset.fwKey = r.fwKey ? 'yes' : 'no';
      } catch (e) { say(`${t('serial_failed')}: ${e.message}`, 'error'); }
      psk.value = '';
      fwKey.value = '';
      write.disabled = false;
    } });
  const flash = el('button', { type: 'button', 'data-action': 'serial-flash', text: t('serial_flash'),
    onclick: async () => {
      if (!image.files.length) { say(t('serial_pick_image'), 'error'); return; }
      flash.disabled = true;
      try {
        await flashMicroPython(id, image.files[0], (w, total) => say(t('serial_flashing', { pc: Math.round((100 * w) / total) }), 'busy'));
        say(t('serial_flashed'), 'done');
      } catch (e) { say(`${t('serial_failed')}: ${e.message}`, 'error'); }
      flash.disabled = false;
    } });
  return el('section', { class: 'serial', 'data-serial': 'ready' },
    el('h3', { text: t('serial_title') }),
    el('p', { class: 'muted', text: t('serial_hint') }),
    el('details', {}, el('summary', { text: t('serial_blank_board') }),
      el('label', {}, el('span', { text: t('serial_image') }), image), flash),
    el('label', {}, el('span', { text: t('wifi_psk') }), psk),
    el('label', {}, el('span', { text: t('serial_fw_key') }), fwKey),
    write, status);
}
