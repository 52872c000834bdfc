// Shared by the officer (/officer/) and technician (/tech/) pages: strings, API calls, formats.
// Strings and formats come from the one front-end i18n module (/static/js/i18n.js); each page has
// its own catalogue (i18n/vi.json first, i18n/en.json) in its folder.
import { getLang, loadLang, locale, num as formatNum, pick, t, translate } from '/static/js/i18n.js';
import { TIME_ZONE } from '/static/js/timezone.js';

export { getLang, locale, pick, t };

export const loadStrings = (folder) => loadLang(getLang(), folder);
export const setLang = (next) => loadLang(next);
export const applyStrings = (root) => translate(root);
export const num = (v, digits = 1) => formatNum(v, digits, false);

export function dateTime(s) {
  if (!s) return '—';
  return new Intl.DateTimeFormat(locale(), {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: TIME_ZONE,
  }).format(new Date(s * 1000));
}

export function ago(seconds) {
  if (seconds === null || seconds === undefined) return t('never');
  if (seconds < 3600) return t('minutes_ago', { n: num(Math.max(1, Math.round(seconds / 60)), 0) });
  if (seconds < 172800) return t('hours_ago', { n: num(Math.round(seconds / 3600), 0) });
  return t('days_ago', { n: num(Math.round(seconds / 86400), 0) });
}

export function csrf() {
  const c = document.cookie.split('; ').find((x) => x.startsWith('rs_csrf='));
  return c ? decodeURIComponent(c.slice(8)) : '';
}

// A refusal from the server in the page's language: the problem's `code` names a catalogue entry
// `err_<code>` (numbers in `params` formatted with a decimal comma); without one, the kind of refusal
// (`err_http_<status>`); the English text only where the page's catalogue has neither.
export function serverMessage(data) {
  if (!data || typeof data !== 'object') return '';
  const key = data.code ? `err_${data.code}` : '';
  if (key && t(key) !== key) {
    const word = (v) => { const k = `cfg_${v}`; return t(k) === k ? String(v) : t(k); }; // a config key's name
    const params = Object.fromEntries(Object.entries(data.params || {}).map(([k, v]) => [k,
      typeof v === 'number' ? num(v, 2) : word(v)]));
    return t(key, params);
  }
  const generic = `err_http_${data.status}`; // a refusal without a code: its kind, in words
  return t(generic) === generic ? data.detail || data.title || '' : t(generic);
}

export async function api(path, opts = {}) {
  const write = opts.method && opts.method !== 'GET';
  const headers = { Accept: 'application/json' };
  if (write) headers['X-CSRF-Token'] = csrf();
  let body = opts.body;
  if (body && typeof body !== 'string') { headers['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
  const r = await fetch(path, { credentials: 'same-origin', ...opts, headers, body });
  const type = r.headers.get('content-type') || '';
  const data = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) {
    const e = new Error(serverMessage(data) || String(r.status));
    e.status = r.status;
    e.data = data;
    throw e;
  }
  return data;
}

export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c);
  return n;
}

export async function currentUser() {
  try {
    const r = await api('/api/v1/auth/me');
    return r.user || r; // the sign-in API answers {user: ...} or the user itself
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

// Sign-in form (#login) shared by both pages; resolves with the user once signed in.
export function signIn(form) {
  return new Promise((resolve) => {
    form.hidden = false;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const out = form.querySelector('.error');
      out.textContent = '';
      try {
        const r = await api('/api/v1/auth/login', { method: 'POST', body: {
          phone: form.phone.value, password: form.password.value } });
        form.hidden = true;
        resolve(r.user || r);
      } catch (e) {
        out.textContent = e.status === 429 ? t('login_wait') : t('login_failed');
      }
    });
  });
}

// The shared start of the officer and technician pages: strings, the language button, sign-in and
// the role gate. Returns the signed-in user, or null (the "denied" box shown) for another role.
export async function startPage(stringsFolder, roles, rerender) {
  await loadStrings(stringsFolder);
  const langBtn = document.getElementById('lang');
  langBtn.textContent = getLang() === 'vi' ? 'EN' : 'VI';
  langBtn.addEventListener('click', async () => {
    await setLang(getLang() === 'vi' ? 'en' : 'vi');
    langBtn.textContent = getLang() === 'vi' ? 'EN' : 'VI';
    applyStrings(document);
    await rerender();
  });
  let user = await currentUser();
  if (!user) user = await signIn(document.getElementById('login'));
  if (!roles.includes(user.role)) {
    document.getElementById('denied').hidden = false;
    return null;
  }
  return user;
}

export function toast(text, kind = 'ok') {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}
