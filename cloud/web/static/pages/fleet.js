// Fleet: every gateway with its version, configuration hash, uptime, lag, outbox and device health; offline,
// lagging, old-version and backing-up gateways flagged and listed first.
import { get } from '../api.js';
import { dateTime, duration, escapeHtml, int, num } from '../format.js';
import { t } from '../i18n.js';

let refresh;
const REFRESH_MS = 10_000;
const FLAG_COLOUR = {
  offline: 'var(--down)',
  lagging: 'var(--idle)',
  'old-version': 'var(--idle)',
  backlog: 'var(--idle)',
};

export function dispose() {
  clearTimeout(refresh);
}

export async function render(root, ctx) {
  const fleet = await get('fleet', { site: ctx.site });
  const list = [...fleet.gateways].sort((a, b) => b.flags.length - a.flags.length);
  const flagged = list.filter((g) => g.flags.length > 0).length;
  root.innerHTML = `
    <section class="panel"><h2>${t('fl.title')} · ${list.length}
      <span class="muted" data-testid="fleet-summary">· ${flagged ? `${flagged} ${t('fl.flagged')}` : t('fl.allGood')} · ${t('fl.cloudVersion')} ${escapeHtml(fleet.version)}</span></h2>
      ${list.length ? table(list) : `<div class="empty" data-testid="no-gateways">${t('fl.none')}</div>`}
    </section>`;
  clearTimeout(refresh);
  refresh = setTimeout(() => {
    if (root.dataset.page === 'fleet') render(root, ctx).catch(() => undefined);
  }, REFRESH_MS);
}

function table(list) {
  return `<div class="table-wrap"><table data-testid="fleet"><thead><tr>
    <th>${t('fl.gateway')}</th><th>${t('fl.flags')}</th><th>${t('fl.version')}</th><th>${t('fl.config')}</th>
    <th>${t('fl.uptime')}</th><th>${t('fl.lastSeen')}</th><th class="num">${t('fl.lag')}</th><th class="num">${t('fl.outbox')}</th><th>${t('fl.devices')}</th></tr></thead><tbody>
    ${list
      .map(
        (g) => `<tr data-gateway="${escapeHtml(g.node)}" data-flags="${escapeHtml(g.flags.join(' '))}">
        <td><b>${escapeHtml(g.node)}</b><div class="muted">${escapeHtml(g.site)}</div></td>
        <td>${
          g.flags.length
            ? g.flags
                .map(
                  (f) =>
                    `<span class="chip" style="--c:${FLAG_COLOUR[f]}" data-flag="${f}">${t(`fl.flag.${f}`)}</span>`,
                )
                .join(' ')
            : `<span class="chip" style="--c:var(--running)">${t('fl.ok')}</span>`
        }</td>
        <td>${escapeHtml(g.version ?? t('fl.unknown'))}</td>
        <td><code>${escapeHtml((g.configHash ?? '–').slice(0, 12))}</code></td>
        <td>${g.uptimeS === null ? '–' : duration(g.uptimeS * 1000)}</td>
        <td class="num">${g.lastSeen === null ? '–' : dateTime(g.lastSeen)}</td>
        <td class="num">${g.lagMs === null ? '–' : duration(g.lagMs)}</td>
        ${outboxCell(g.outbox)}
        <td>${g.devices.online}/${g.devices.total}${
          g.devices.offline.length
            ? ` <span class="error">${t('fl.offlineDevices')}: ${g.devices.offline.map(escapeHtml).join(', ')}</span>`
            : ''
        }</td></tr>`,
      )
      .join('')}
    </tbody></table></div>`;
}

// What the agent's outbox held when it last said: batches waiting, their size and how long the oldest has waited.
function outboxCell(o) {
  if (!o) return `<td class="num" data-outbox="">–</td>`;
  const detail =
    o.messages > 0
      ? `<div class="muted">${bytes(o.bytes)} · ${t('fl.oldest')} ${duration(o.oldestAgeMs)}</div>`
      : '';
  return `<td class="num" data-outbox="${o.messages}">${int(o.messages)}${detail}</td>`;
}

function bytes(n) {
  if (n >= 1024 * 1024) return `${num(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${num(n / 1024)} KiB`;
  return `${int(n)} B`;
}
