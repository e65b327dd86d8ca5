// Alarms: active (most severe first, acknowledge for admins) and the last seven days.
import { post, snapshot } from '../api.js';
import { dateTime, duration, escapeHtml, num } from '../format.js';
import { t, tv } from '../i18n.js';

let refresh;
let listening = false;

export function dispose() {
  clearTimeout(refresh);
  listening = false;
}

export async function render(root, ctx) {
  const site = ctx.site;
  const [activeSnap, historySnap] = await Promise.all([
    snapshot('alarms', { site }),
    snapshot('alarms', { site, status: 'all', from: '-7d' }),
  ]);
  const active = activeSnap.data;
  const history = historySnap.data;
  const admin = ctx.me?.role === 'admin';
  root.innerHTML = `
    <section class="panel"><h2>${t('al.active')} · ${active.length}</h2>
      ${active.length ? table(active, true, admin) : `<div class="empty" data-testid="no-alarms">${t('al.none')}</div>`}
    </section>
    <section class="panel" style="margin-top:12px"><h2>${t('al.history')}</h2>${table(history, false, false)}</section>`;
  for (const b of root.querySelectorAll('button[data-ack]')) {
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await post(`alarms/${encodeURIComponent(b.dataset.ack)}/ack`, {});
      } finally {
        render(root, ctx);
      }
    });
  }
  // an alarm event (or a gap) re-renders from fresh snapshots; one that came while these loaded is replayed
  const onEvent = (type) => {
    if (type !== 'alarm' && type !== 'lagged') return;
    clearTimeout(refresh);
    refresh = setTimeout(() => render(root, ctx), 300);
  };
  if (listening) return ctx.replay(onEvent, activeSnap.eventId, historySnap.eventId);
  listening = true;
  ctx.onLive(onEvent, activeSnap.eventId, historySnap.eventId);
}

function table(list, isActive, admin) {
  const now = Date.now();
  return `<div class="table-wrap"><table data-testid="${isActive ? 'active-alarms' : 'alarm-history'}"><thead><tr>
    <th>${t('al.severity')}</th><th>${t('al.device')}</th><th>${t('al.metric')}</th><th class="num">${t('al.value')}</th>
    <th>${t('al.raised')}</th><th>${isActive ? t('al.duration') : t('al.cleared')}</th><th>${t('al.ack')}</th></tr></thead><tbody>
    ${list
      .map(
        (
          a,
        ) => `<tr class="${a.active ? 'active' : ''} sev-${escapeHtml(a.severity)}" data-alarm="${escapeHtml(a.id)}">
        <td><span class="chip">${escapeHtml(tv('sev', a.severity))}</span></td>
        <td><a href="#/machine/${encodeURIComponent(a.device)}">${escapeHtml(a.device)}</a></td>
        <td>${escapeHtml(a.message || a.metric)}<div class="muted">${escapeHtml(a.metric)}</div></td>
        <td class="num">${num(a.value, 1)} / ${num(a.limit, 1)}</td>
        <td class="num">${dateTime(a.raisedAt)}</td>
        <td class="num">${isActive ? duration(now - a.raisedAt) : a.clearedAt ? dateTime(a.clearedAt) : `<span class="error">${t('al.still')}</span>`}</td>
        <td>${
          a.acked
            ? `<span class="muted" data-testid="acked">✓ ${t('al.acked')}${a.ackedBy ? ` · ${escapeHtml(a.ackedBy)}` : ''}</span>`
            : admin && a.active
              ? `<button type="button" data-ack="${escapeHtml(a.id)}">${t('al.ack')}</button>`
              : '–'
        }</td></tr>`,
      )
      .join('')}
    </tbody></table></div>`;
}
