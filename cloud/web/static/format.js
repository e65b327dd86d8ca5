// Number, time and duration formatting for both languages.
import { getLang } from './i18n.js';

const loc = () => (getLang() === 'zh-CN' ? 'zh-CN' : 'en-GB');

export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return new Intl.NumberFormat(loc(), {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(v);
}

export function int(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return new Intl.NumberFormat(loc(), { maximumFractionDigits: 0 }).format(v);
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return `${num(v * 100, digits)}%`;
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString(loc(), { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(ms) {
  return new Date(ms).toLocaleString(loc(), {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** 75 s → "1 min", 3 h 20 min → "3 h 20 min" (or 3小时20分). */
export function duration(ms) {
  const zh = getLang() === 'zh-CN';
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 1) return zh ? '不到1分钟' : '< 1 min';
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (d > 0) return zh ? `${d}天${h % 24}小时` : `${d} d ${h % 24} h`;
  if (h > 0) return zh ? `${h}小时${m % 60}分` : `${h} h ${m % 60} min`;
  return zh ? `${m}分钟` : `${m} min`;
}

export function escapeHtml(s) {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}
