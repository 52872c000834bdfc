// Review desk: photos, the model's answer and its best guesses, the farmer's dispute, field context
// and weather; confirm, correct or ask for more photos (moves of the one review state machine).
import { api, dateTime, el, getLang, num, pick, t, toast } from '/static/tech/core.js';

let labels = [];
let outcomes = [];
let crops = {};

function labelName(name) {
  if (outcomes.includes(name)) return t(`outcome_${name}`);
  const l = labels.find((x) => x.name === name);
  return l ? (getLang() === 'vi' ? l.vi : l.en) : (name || t('no_label'));
}

// The classifier's best guesses (its top3), also when it abstained: where an officer starts.
function guesses(m) {
  if (!m.candidates || !m.candidates.length) return null;
  const list = m.candidates.map((c) => `${labelName(c.label)} ${num(c.confidence * 100, 0)}%`).join(' · ');
  return el('p', { class: 'guesses', text: t('model_guesses', { list }) });
}

function disputeLine(item) {
  if (item.status !== 'disputed') return null;
  const said = item.review.farmer_note ? t('farmer_disputed', { note: item.review.farmer_note }) : t('farmer_disputed_no_note');
  const held = item.review.label ? el('p', { class: 'muted', text: t('answer_held', { label: labelName(item.review.label) }) }) : null;
  return el('div', { class: 'dispute' }, el('p', { class: 'farmer-note', text: said }), held);
}

function weatherLine(w) {
  if (!w || !w.node_id) return t('no_weather');
  const v = (x, k) => (x && x[k] !== undefined ? num(x[k], 1) : '—');
  return t('weather_line', { tmin: v(w.air_temp, 'min'), tmax: v(w.air_temp, 'max'), rh: v(w.air_rh, 'mean'),
    rain: v(w.rain, 'sum') });
}

// Every class of every crop (the field's crop first: the photo may show another crop), then the
// answers that are no class: another crop, not a plant, can't tell.
function labelSelect(classifier) {
  const order = [...new Set([classifier, ...labels.map((l) => l.crop)])].filter((c) => labels.some((l) => l.crop === c));
  const name = (crop) => { const n = crops[crop] ? pick(crops[crop]) : crop; return n.charAt(0).toUpperCase() + n.slice(1); };
  const group = (crop) => el('optgroup', { label: name(crop) },
    ...labels.filter((l) => l.crop === crop).map((l) => el('option', { value: l.name, text: getLang() === 'vi' ? l.vi : l.en })));
  return el('select', { name: 'label', class: 'label-select', 'aria-label': t('choose_label') },
    el('option', { value: '', text: t('choose_label') }),
    ...order.map(group),
    el('optgroup', { label: t('label_group_outcomes') },
      ...outcomes.map((o) => el('option', { value: o, text: t(`outcome_${o}`) }))));
}

function card(item) {
  const note = el('textarea', { name: 'note', rows: '2', placeholder: t('note_for_farmer') });
  const select = labelSelect(item.field.classifier_crop);
  const decide = async (action) => {
    const body = { action, note: note.value };
    if (action === 'correct') {
      if (!select.value) { toast(t('choose_label_first'), 'error'); return; }
      body.label = select.value;
    }
    if (action === 'more_photos' && !note.value.trim()) { toast(t('more_photos_note_first'), 'error'); note.focus(); return; }
    try {
      await api(`/api/v1/officer/reviews/${item.id}`, { method: 'POST', body });
      toast(t(`done_${action}`));
      await loadReviews();
    } catch (e) { toast(`${t('review_failed')}: ${e.message}`, 'error'); }
  };
  const m = item.model;
  const answer = m.label ? t('model_said', { label: labelName(m.label), pct: num(m.confidence * 100, 0) })
    : t('model_abstained');
  return el('article', { class: 'card review', 'data-id': String(item.id) },
    el('div', { class: 'photos' }, ...item.photos.map((src) => el('img', { src, alt: t('photo_alt'), loading: 'lazy' }))),
    el('div', { class: 'facts' },
      el('h3', { text: `${item.field.name} — ${t(`crop_${item.field.crop}`)}` }),
      el('p', { class: 'muted', text: `${item.field.farm} · ${item.field.commune} · ${dateTime(item.created_at)}` }),
      el('p', { class: `status st-${item.status}`, text: item.sampled ? t('review_sampled') : t(`review_${item.status}`) }),
      el('p', { text: answer }),
      guesses(m),
      el('p', { class: 'muted', text: pick(item.message) }),
      disputeLine(item),
      el('p', { text: weatherLine(item.weather) }),
      el('div', { class: 'actions' },
        m.label ? el('button', { type: 'button', class: 'primary', text: t('confirm'), onclick: () => decide('confirm') })
          : null,
        select,
        el('button', { type: 'button', text: t('correct'), onclick: () => decide('correct') }),
        note,
        el('button', { type: 'button', text: t('more_photos'), onclick: () => decide('more_photos') }))));
}

// Officer/model agreement per class (the model card reads the same numbers from the API).
async function loadAgreement() {
  const a = await api('/api/v1/officer/agreement');
  const pct = (v) => (v === null || v === undefined ? '—' : `${num(v * 100, 0)}%`);
  const cols = ['class', 'reviewed', 'agreed', 'disagreed', 'cant_tell', 'rate', 'sampled'];
  const box = document.getElementById('agreement');
  box.replaceChildren(
    el('h2', { text: t('agreement_title') }),
    el('p', { class: 'hint', text: t('agreement_rate_line', { pct: num(a.sample_rate * 100, 0) }) }),
    a.classes.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'report agreement' },
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { text: t(`col_${c}`) })))),
      el('tbody', {}, ...a.classes.map((c) => el('tr', { 'data-label': c.model_label },
        el('td', { text: c.name ? pick(c.name) : c.model_label }),
        el('td', { text: num(c.reviewed, 0) }), el('td', { text: num(c.agreed, 0) }),
        el('td', { text: num(c.disagreed, 0) }), el('td', { text: num(c.cant_tell, 0) }),
        el('td', { text: pct(c.rate) }),
        el('td', { text: `${num(c.sampled_agreed, 0)} / ${num(c.sampled_reviewed, 0)}` }))))))
      : el('p', { class: 'muted', text: t('agreement_empty') }),
    el('p', {}, el('a', { class: 'button', href: '/api/v1/officer/agreement', download: 'dong-thuan.json', text: t('agreement_download') })));
}

export async function loadReviews() {
  const r = await api('/api/v1/officer/reviews');
  labels = r.labels;
  outcomes = r.outcomes || [];
  crops = r.crops || {};
  document.getElementById('review-list').replaceChildren(...r.items.map(card));
  document.getElementById('review-empty').hidden = r.items.length > 0;
  document.getElementById('review-hidden').textContent = r.not_shared ? t('review_not_shared', { n: r.not_shared }) : '';
  await loadAgreement();
}
