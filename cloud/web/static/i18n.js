// Labels in Simplified Chinese (vocabulary of the Chongqing future-factory guide) and English.
// The choice is remembered in localStorage; the default follows the browser language.

import { en } from './i18n-en.js';
import { zh } from './i18n-zh.js';

const STORE_KEY = 'plantpulse.lang';

const dicts = { 'zh-CN': zh, en };
let lang = pickInitial();

function pickInitial() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved && saved in dicts) return saved;
  } catch {
    // storage disabled: fall through
  }
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!(next in dicts)) return;
  lang = next;
  try {
    localStorage.setItem(STORE_KEY, next);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = next;
}

/** Translation of `key`; unknown keys fall back to English, then to the key's last part. */
export function t(key) {
  return dicts[lang][key] ?? en[key] ?? key.split('.').pop();
}

/** Translation of a data value in a namespace (`state`, `kind`, …), or the raw value when unknown. */
export function tv(ns, value) {
  const key = `${ns}.${value}`;
  return dicts[lang][key] ?? en[key] ?? String(value);
}

const UNIT_SUFFIX = [
  ['_mg_m3', 'mg/m³'],
  ['_m3_h', 'm³/h'],
  ['_t_h', 't/h'],
  ['_kwh', 'kWh'],
  ['_kw', 'kW'],
  ['_m3min', 'm³/min'],
  ['_m3h', 'm³/h'],
  ['_m3', 'm³'],
  ['_bar', 'bar'],
  ['_pct', '%'],
  ['_rpm', 'rpm'],
  ['_db', 'dB'],
  ['_c', '°C'],
  ['_a', 'A'],
  ['_v', 'V'],
  ['_s', 's'],
];

/** A metric's label (translated when known, else its name). */
export function metricLabel(name) {
  return dicts[lang][`metric.${name}`] ?? dicts[lang][`pol.${name}`] ?? en[`metric.${name}`] ?? name;
}

/** A metric's unit: from its birth when known, else from the naming convention (`_kw`, `_c`, `_mg_m3`, …). */
export function metricUnit(name, unit) {
  if (unit) return unit;
  return UNIT_SUFFIX.find(([suffix]) => name.endsWith(suffix))?.[1] ?? '';
}

/** Fills every `[data-i18n]` element below `root`. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
