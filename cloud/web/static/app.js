// The dashboard shell: language, sign-in, site, live stream, clock and hash routing to the pages.
import { AuthRequired, get, getToken, openLive, setToken } from './api.js';
import { disposeAll } from './charts.js';
import { applyStatic, getLang, setLang, t } from './i18n.js';
import { LiveLog } from './live.js';
import * as alarms from './pages/alarms.js';
import * as emissions from './pages/emissions.js';
import * as energy from './pages/energy.js';
import * as energyTree from './pages/energy-tree.js';
import * as fleet from './pages/fleet.js';
import * as machine from './pages/machine.js';
import * as overview from './pages/overview.js';

const pages = { overview, machine, energy, 'energy-tree': energyTree, emissions, alarms, fleet };
const main = document.getElementById('page');
const ctx = { site: undefined, me: undefined, devices: [] };
// every event of the current live stream, so a page joins its snapshot to the stream without a gap (live.js)
const liveLog = new LiveLog();
let current;
let stopLive;
// the first page waits (a little) for the stream's hello, so the log covers the page's snapshots
let liveReady = Promise.resolve();
const LIVE_WAIT_MS = 3000;

function route() {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name = 'overview', ...rest] = path.split('/');
  return {
    params: new URLSearchParams(query),
    name: name in pages ? name : 'overview',
    arg: rest.map(decodeURIComponent).join('/') || undefined,
  };
}

async function show() {
  const { name, arg, params } = route();
  current?.dispose?.();
  disposeAll();
  liveLog.clearHandlers();
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.page === name);
  main.innerHTML = `<div class="empty">${t('loading')}</div>`;
  main.dataset.page = name;
  current = pages[name];
  await liveReady;
  try {
    await current.render(main, {
      ...ctx,
      arg,
      params,
      // register a live handler for a page rendered from snapshots with these Live-Event-Ids
      onLive: (h, ...eventIds) => liveLog.follow(h, ...eventIds),
      // after reloading a snapshot: replay to `h` what happened after it
      replay: (h, ...eventIds) => liveLog.replay(h, ...eventIds),
    });
    main.dataset.ready = name;
  } catch (err) {
    if (err instanceof AuthRequired) return askToken();
    console.error(err);
    main.innerHTML = `<div class="empty error">${t('error')}: ${String(err.message || err)}</div>`;
  }
}

function askToken(bad = false) {
  const dlg = document.getElementById('login');
  document.getElementById('login-error').hidden = !bad;
  if (!dlg.open) dlg.showModal();
}

async function start() {
  document.documentElement.lang = getLang();
  applyStatic();
  try {
    ctx.me = await get('me');
    const sites = await get('sites');
    ctx.site = new URLSearchParams(location.search).get('site') || sites[0]?.site;
    ctx.devices = await get('devices', { site: ctx.site });
  } catch (err) {
    if (err instanceof AuthRequired) return askToken(Boolean(getToken()));
    main.innerHTML = `<div class="empty error">${t('error')}: ${String(err.message || err)}</div>`;
    return;
  }
  document.getElementById('site-name').textContent = ctx.site ?? '';
  document.getElementById('logout').hidden = !getToken();
  stopLive?.();
  let ready;
  liveReady = new Promise((resolve) => {
    ready = resolve;
    setTimeout(resolve, LIVE_WAIT_MS);
  });
  stopLive = openLive({
    site: ctx.site,
    resumeId: () => liveLog.resumeId(),
    onStatus: (s) => {
      if (s === 'off') liveLog.disconnected();
      const el = document.getElementById('live');
      el.dataset.state = s;
      document.getElementById('live-text').textContent = t(`live.${s}`);
    },
    onEvent: (type, data, id) => {
      if (type === 'hello') {
        // not a resume: events may have been missed, pages reload their snapshot (after the first hello, none)
        if (liveLog.hello(data)) {
          liveLog.deliver('lagged', { reason: 'reconnect' });
          refreshAlarmBadge();
        }
        ready();
        return;
      }
      if (type === 'lagged') {
        liveLog.lagged();
        liveLog.deliver('lagged', data);
        refreshAlarmBadge();
        return;
      }
      if (type === 'alarm') refreshAlarmBadge();
      liveLog.push(type, data, id);
    },
  });
  refreshAlarmBadge();
  await show();
}

let badgeTimer;
function refreshAlarmBadge() {
  clearTimeout(badgeTimer);
  badgeTimer = setTimeout(async () => {
    try {
      const active = await get('alarms', { site: ctx.site, status: 'active' });
      const badge = document.getElementById('alarm-badge');
      badge.hidden = active.length === 0;
      badge.textContent = String(active.length);
    } catch {
      // the badge is a hint; the alarms page shows errors
    }
  }, 200);
}

document.getElementById('login-form').addEventListener('submit', () => {
  setToken(document.getElementById('token').value.trim());
  start();
});
document.getElementById('logout').addEventListener('click', () => {
  setToken('');
  stopLive?.();
  askToken();
});
document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh-CN' ? 'en' : 'zh-CN');
  applyStatic();
  document.getElementById('live-text').textContent = t(
    `live.${document.getElementById('live').dataset.state}`,
  );
  show();
});
window.addEventListener('hashchange', show);

const clock = document.getElementById('clock');
const tick = () => {
  clock.textContent = new Date().toLocaleTimeString(getLang() === 'zh-CN' ? 'zh-CN' : 'en-GB');
};
tick();
setInterval(tick, 1000);

// echarts is loaded with `defer`, modules run after deferred classic scripts: it is there now.
start();
