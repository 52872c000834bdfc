// The one front-end i18n module for the farmer (/), officer (/officer/) and technician (/tech/) apps:
// string catalogues with {param} placeholders, the chosen language (one setting for all three apps)
// and Vietnamese/English number and date formats (dd/mm/yyyy, decimal comma). A new language is a
// new entry in LANGS plus one catalogue per app folder (i18n/<lang>.json); nothing else here changes.
export const LANGS = ["vi", "en"];
const LOCALES = { vi: "vi-VN", en: "en-GB" };
const STORAGE_KEY = "lang";
let strings = {};
let folder = "/static";
export let lang = LANGS.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : LANGS[0];

export const getLang = () => lang;

// Loads `<base>/i18n/<next>.json` (base: the app's static folder, kept for later calls), remembers the
// language for every app, and translates the page.
export async function loadLang(next = lang, base = folder) {
  folder = base;
  const r = await fetch(`${folder}/i18n/${next}.json`, { credentials: "include" });
  strings = await r.json();
  lang = next;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  if (strings.app_title) document.title = t("app_title");
  translate(document);
}

export function t(key, params = {}) {
  const s = strings[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));
}

export function translate(root) {
  for (const e of root.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll("[data-i18n-label]")) e.setAttribute("aria-label", t(e.dataset.i18nLabel));
  for (const e of root.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of root.querySelectorAll("[data-i18n-title]")) e.title = t(e.dataset.i18nTitle);
}

export const locale = () => LOCALES[lang] || LOCALES[LANGS[0]];

// fixed: always `digits` decimals ("12,0"); otherwise at most `digits` ("12").
export function num(v, digits = 1, fixed = true) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  const min = fixed ? digits : 0;
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: min, maximumFractionDigits: digits }).format(v);
}

// Both languages show day/month/year: "05/03/2026".
export function date(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

// Typed "5/3/2026" or "05/03/2026" (day first) → "2026-03-05"; null when not a real date.
export function parseDate(text) {
  const m = String(text).trim().match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

export function time(unixS) {
  return new Date(unixS * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

// Texts that arrive from the server in every language ({vi, en}): the chosen one, else the first.
export const pick = (text) => (text ? text[lang] || text[LANGS[0]] || "" : "");

export function area(a) {
  return localStorage.getItem("units") === "ha" ? t("area_ha", { ha: num(a.ha, 2) }) : t("area_sao", { sao: num(a.sao, 1) });
}
