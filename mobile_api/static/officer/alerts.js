// Area alerts: before sending, who the alert reaches and on which channel (preview); after, the list
// of sent alerts with their deliveries per channel and state, and withdrawing one.
import { api, dateTime, el, num, pick, t, toast } from '/static/tech/core.js';

const $ = (id) => document.getElementById(id);
const CHANNELS = ['inbox', 'push', 'sms', 'zalo'];
const PLAN = ['now', 'quiet', 'no_device', 'no_phone', 'off']; // what the preview says per channel
const STATES = ['sent', 'queued', 'failed', 'dead', 'cancelled'];
let pending = null; // { body, done }: the alert the officer is looking at before confirming

function counts(byWhat, order, prefix) {
  const parts = order.filter((k) => byWhat[k]).map((k) => t(`${prefix}${k}`, { n: num(byWhat[k], 0) }));
  return parts.length ? parts.join(' · ') : '—';
}

function channelRows(channels, order, prefix) {
  return el('dl', { class: 'channel-counts' }, CHANNELS.filter((ch) => Object.keys(channels[ch] || {}).length).flatMap((ch) => [
    el('dt', { text: t(`ch_${ch}`) }), el('dd', { text: counts(channels[ch], order, prefix) })]));
}

function close() {
  pending = null;
  $('alert-preview').hidden = true;
  $('alert-preview').replaceChildren();
}

async function confirmSend() {
  if (!pending) return;
  const { body, done } = pending;
  const button = $('alert-confirm');
  button.disabled = true; // one tap, one alert
  try {
    const r = await api('/api/v1/officer/alerts', { method: 'POST', body });
    const ch = r.delivery.channels;
    const waiting = ['push', 'sms', 'zalo'].reduce((a, c) => a + ((ch[c] || {}).queued || 0), 0);
    toast(t('alert_sent', { people: num(r.people, 0), fields: num(r.fields_reached, 0), waiting: num(waiting, 0) }));
    close();
    done();
    if (!$('view-alerts').hidden) await loadAlerts();
  } catch (e) {
    button.disabled = false;
    toast(`${t('alert_failed')}: ${e.message}`, 'error');
  }
}

// Ask the server who `body` (the alert form) would reach, and show it with Send / Cancel.
export async function previewAlert(body, done) {
  const p = await api('/api/v1/officer/alerts/preview', { method: 'POST', body });
  pending = { body, done };
  const box = $('alert-preview');
  box.replaceChildren(...[
    el('h3', { text: t('preview_title') }),
    el('p', { class: 'preview-people', text: t('preview_people', { people: num(p.people, 0), fields: num(p.fields_reached, 0) }) }),
    // farms that do not share are counted only in groups of at least k (issue 16, F8): "fewer than 3"
    p.fields_not_shared ? el('p', { text: t('preview_not_shared', { n: num(p.fields_not_shared, 0) }) })
      : el('p', { class: 'note', text: t('preview_not_shared_few', { k: num(p.k_anonymity, 0) }) }),
    p.farms_without_account ? el('p', { class: 'warn', text: t('preview_no_account', { n: num(p.farms_without_account, 0) }) })
      : el('p', { class: 'note', text: t('preview_no_account_few', { k: num(p.k_anonymity, 0) }) }),
    p.people ? channelRows(p.channels, PLAN, 'plan_') : null,
    p.people ? el('details', { class: 'recipients' }, el('summary', { text: t('preview_who') }),
      el('ul', {}, p.recipients.map((r) => el('li', { text: `${r.name}: ${Object.entries(r.channels)
        .map(([ch, what]) => `${t(`ch_${ch}`)} (${t(`plan_${what}`, { n: '' }).trim()})`).join(', ')}` })))) : null,
    el('div', { class: 'preview-actions' },
      el('button', { type: 'button', class: 'primary', id: 'alert-confirm', text: t('confirm_send'), onclick: confirmSend }),
      el('button', { type: 'button', text: t('cancel'), onclick: close }))].filter(Boolean));
  box.hidden = false;
  $('alert-confirm').focus();
}

async function withdraw(alert, button) {
  if (button.dataset.armed !== '1') { // a second tap confirms: a withdrawal cannot be undone
    button.dataset.armed = '1';
    button.textContent = t('withdraw_confirm');
    return;
  }
  button.disabled = true;
  try {
    const r = await api(`/api/v1/officer/alerts/${alert.id}/withdraw`, { method: 'POST' });
    toast(t('withdrawn_toast', { n: num(r.cancelled, 0) }));
    await loadAlerts();
  } catch (e) {
    button.disabled = false;
    toast(`${t('alert_failed')}: ${e.message}`, 'error');
  }
}

function alertCard(a) {
  const d = a.delivery;
  const withdraw_ = a.withdrawn_at ? null : el('button', { type: 'button', class: 'danger', text: t('withdraw') });
  if (withdraw_) withdraw_.addEventListener('click', () => withdraw(a, withdraw_));
  return el('article', { class: `sent-alert sev-${a.severity}${a.withdrawn_at ? ' withdrawn' : ''}`, 'data-alert': String(a.id) },
    el('header', {},
      el('strong', { text: pick(a.title) || t(`sev_${a.severity}`) }),
      el('span', { class: 'when', text: dateTime(a.created_at) })),
    el('p', { class: 'words', text: pick(a.message) }),
    el('p', { class: 'reach', text: t('sent_reach', { people: num(d.people, 0), read: num(d.read, 0), radius: num(a.radius_m / 1000, 1) }) }),
    channelRows(d.channels, STATES, 'dstate_'),
    a.withdrawn_at ? el('p', { class: 'badge-withdrawn', text: t('withdrawn_at', { when: dateTime(a.withdrawn_at) }) }) : withdraw_);
}

// The "Sent alerts" tab.
export async function loadAlerts() {
  const r = await api('/api/v1/officer/alerts');
  const list = $('alerts-list');
  list.replaceChildren(...(r.alerts.length ? r.alerts.map(alertCard) : [el('p', { class: 'card', text: t('alerts_none') })]));
  list.dataset.count = String(r.alerts.length);
}
