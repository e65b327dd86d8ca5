// Talking to the plantpulse API: bearer token from localStorage, JSON GET/POST, and the live SSE stream read
// through fetch (so the token travels in a header, never in a URL).

const TOKEN_KEY = 'plantpulse.token';

export class AuthRequired extends Error {}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lasts for this page only
  }
}

function headers(extra = {}) {
  const token = getToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

async function handle(res) {
  if (res.status === 401)
    throw new AuthRequired((await res.json().catch(() => ({}))).message || 'token required');
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

/** GET /api/v1/<path> with query parameters (undefined ones are skipped). */
export async function get(path, params = {}) {
  return handle(await fetch(url(path, params), { headers: headers() }));
}

/**
 * GET of a snapshot that joins the live stream: `{ data, eventId }`, where `eventId` (the `Live-Event-Id` header)
 * names the last live event the snapshot includes; hand it to `ctx.onLive(handler, eventId)`.
 */
export async function snapshot(path, params = {}) {
  const res = await fetch(url(path, params), { headers: headers() });
  const data = await handle(res);
  return { data, eventId: res.headers.get('live-event-id') ?? undefined };
}

export async function post(path, body) {
  return handle(
    await fetch(`/api/v1/${path}`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body ?? {}),
    }),
  );
}

/**
 * Keeps one live stream open, reconnecting with backoff and resuming after `resumeId()` (`Last-Event-ID`).
 * `onEvent(type, data, id)` gets every event; `onStatus('on' | 'off' | 'lagged')` tells the header indicator.
 */
export function openLive({ site, onEvent, onStatus, resumeId = () => undefined }) {
  let stopped = false;
  let ctrl;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const resume = resumeId();
        const res = await fetch(`/api/v1/live${site ? `?site=${encodeURIComponent(site)}` : ''}`, {
          headers: headers({ accept: 'text/event-stream', ...(resume ? { 'last-event-id': resume } : {}) }),
          signal: ctrl.signal,
        });
        if (res.status === 401) throw new AuthRequired('token required');
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            i = buf.indexOf('\n\n');
            let type = 'message';
            let data = '';
            let id;
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) type = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
              else if (line.startsWith('id: ')) id = line.slice(4);
            }
            if (!data) continue;
            if (type === 'hello') {
              delay = 1000;
              onStatus('on');
            }
            if (type === 'lagged') onStatus('lagged');
            try {
              onEvent(type, JSON.parse(data), id);
            } catch (err) {
              console.error('live event handler failed', err);
            }
          }
        }
      } catch (err) {
        if (stopped) return;
        if (err instanceof AuthRequired) {
          onStatus('off');
          return;
        }
      }
      if (stopped) return;
      onStatus('off');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  run();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}
