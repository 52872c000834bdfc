// Translation catalogues and Vietnamese/English number and date formats (dd/mm/yyyy, decimal comma).
export const LANGS = ["vi", "en"];
let strings = {};
export let lang = localStorage.getItem("lang") || "vi";

export async function loadLang(next = lang) {
  const r = await fetch(`/static/i18n/${next}.json`, { credentials: "include" });
  strings = await r.json();
  lang = next;
  localStorage.setItem("lang", lang);
  document.documentElement.lang = lang;
  document.title = t("app_title");
  translate(document);
}

export function t(key, params = {}) {
  const s = strings[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));
}

export function translate(root) {
  for (const e of root.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll("[data-i18n-label]")) e.setAttribute("aria-label", t(e.dataset.i18nLabel));
}

const locale = () => (lang === "vi" ? "vi-VN" : "en-GB");

export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
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

// Advisory texts arrive in both languages from the server: {vi, en}.
export const pick = (text) => (text ? text[lang] ?? text.vi : "");

export function area(a) {
  return localStorage.getItem("units") === "ha" ? t("area_ha", { ha: num(a.ha, 2) }) : t("area_sao", { sao: num(a.sao, 1) });
}
