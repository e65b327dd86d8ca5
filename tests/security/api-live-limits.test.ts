/**
 * Live streams (`/api/v1/live`) are limited per token and in total: one token cannot take every stream, and the
 * server cannot be made to hold more than `maxLiveClients`; closed streams give their place back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { ADMIN, bearer, listen, raw, type TestApi, testApi, VIEWER } from './api-harness.js';

let app: TestApi;
let base: string;
const open: AbortController[] = [];

/** Opens a stream and waits for its answer: the status, and a way to close it. */
async function stream(token: string): Promise<{ status: number; body: unknown; close: () => void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/v1/live`, { headers: bearer(token), signal: ctrl.signal });
  if (res.status !== 200) return { status: res.status, body: await res.json(), close: () => ctrl.abort() };
  open.push(ctrl);
  const reader = res.body?.getReader();
  await reader?.read(); // the hello event: the stream is counted
  return { status: 200, body: null, close: () => ctrl.abort() };
}

beforeAll(async () => {
  app = await testApi({ maxLiveClients: 3, maxLiveClientsPerToken: 2 });
  base = await listen(app);
});
afterAll(async () => {
  for (const c of open) c.abort();
  await app?.close();
});

describe('live stream limits', () => {
  it('refuses a token its third stream, serves another token, refuses beyond the total, frees closed places', async () => {
    const v1 = await stream(VIEWER);
    const v2 = await stream(VIEWER);
    expect([v1.status, v2.status]).toEqual([200, 200]);
    const v3 = await stream(VIEWER);
    expect(v3.status).toBe(429);
    expect(v3.body).toMatchObject({ code: 'PP_API_LIVE_LIMIT' });
    // another token still gets one
    const a1 = await stream(ADMIN);
    expect(a1.status).toBe(200);
    // the server holds 3 in all: a fourth is refused to anyone
    const a2 = await stream(ADMIN);
    expect(a2.status).toBe(503);
    expect(a2.body).toMatchObject({ code: 'PP_API_BUSY' });
    // the rest of the API keeps answering meanwhile
    expect((await raw(base, '/api/v1/me', { headers: bearer(VIEWER) })).status).toBe(200);
    // closing a stream gives its place back (the server sees the close asynchronously: poll)
    v1.close();
    const again = await until('the viewer may open a stream again', async () => {
      const s = await stream(VIEWER);
      return s.status === 200 ? s : undefined;
    });
    expect(again.status).toBe(200);
  });
});
