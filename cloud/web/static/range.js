// The time span of the energy and emissions pages: the last 24 hours in hourly windows, or the last 7 days in
// daily windows. Kept in the page's hash (`#/energy?range=7d`) so a link or a reload shows the same view.
import { t } from './i18n.js';

export const RANGES = {
  '24h': { from: '-24h', period: '1h', spanMs: 86_400_000, step: '5m' },
  '7d': { from: '-7d', period: 'day', spanMs: 7 * 86_400_000, step: '30m' },
};

export function currentRange(params) {
  const key = params?.get('range');
  return key && key in RANGES ? key : '24h';
}

/** Segmented control HTML; clicking changes the hash (the router re-renders the page). */
export function rangeControl(page, key) {
  return `<div class="segmented" role="group" data-testid="range">${Object.keys(RANGES)
    .map(
      (k) =>
        `<a href="#/${page}?range=${k}" class="${k === key ? 'active' : ''}" data-range="${k}">${t(`range.${k}`)}</a>`,
    )
    .join('')}</div>`;
}
