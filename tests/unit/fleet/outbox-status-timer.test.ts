/**
 * When the agent's session sends its outbox state (agent/publish/edge-node-session.ts, `nodeMetricsIntervalMs`):
 * in the NBIRTH, then NDATA a full interval after it and after each other, never while not born; new births start
 * the interval over. Timers are vitest's fake ones; the session publishes into a recording link.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { EdgeNodeSession } from '../../../agent/publish/edge-node-session.js';
import type { OutMsg } from '../../../agent/publish/edge-node-types.js';
import { createRootLogger } from '../../../config/logging.js';
import { decodePayload, outboxNodeMetrics } from '../../../protocols/sparkplug/index.js';

const EVERY = 10_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function rig() {
  const sent: OutMsg[] = [];
  let depth = 7;
  const session = new EdgeNodeSession({
    site: 'cq-plant1',
    node: 'gw1',
    devices: [{ id: 'press-07', metrics: [{ name: 'v', kind: 'int32' }] }],
    nodeMetrics: () => outboxNodeMetrics({ messages: depth, bytes: depth * 100, oldestAgeMs: depth * 1000 }),
    nodeMetricsIntervalMs: EVERY,
    log: createRootLogger('test', 'silent'),
    listener: { sessionStarted: () => undefined, born: () => undefined, wake: () => undefined },
    onDrop: () => undefined,
  });
  session.attach({
    publish: async (m) => {
      sent.push(m);
    },
    restart: async () => undefined,
  });
  const types = () => sent.splice(0).map((m) => m.topic.split('/')[2]);
  return {
    session,
    types,
    sent,
    setDepth: (n: number) => {
      depth = n;
    },
  };
}

describe('the outbox state’s NDATA', () => {
  test('a full interval after the births, then every interval, with the values of that moment', () => {
    const r = rig();
    r.session.hooks.will();
    r.session.hooks.onConnected();
    expect(r.types()).toEqual(['NBIRTH', 'DBIRTH']);
    vi.advanceTimersByTime(EVERY - 1);
    expect(r.types()).toEqual([]);
    r.setDepth(0);
    vi.advanceTimersByTime(1);
    const ndata = r.sent[0];
    expect(r.types()).toEqual(['NDATA']);
    const metrics = decodePayload(ndata?.payload ?? new Uint8Array()).metrics;
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      ['outbox_messages', 0n],
      ['outbox_bytes', 0n],
      ['outbox_oldest_age_ms', 0n],
    ]);
    vi.advanceTimersByTime(EVERY);
    expect(r.types()).toEqual(['NDATA']);
    r.session.close();
  });

  test('none while not born; the next births start the interval over', () => {
    const r = rig();
    r.session.hooks.will();
    r.session.hooks.onConnected();
    r.types();
    r.session.hooks.onDisconnected('connection lost');
    vi.advanceTimersByTime(5 * EVERY);
    expect(r.types()).toEqual([]);
    r.session.hooks.will();
    r.session.hooks.onConnected();
    expect(r.types()).toEqual(['NBIRTH', 'DBIRTH']);
    vi.advanceTimersByTime(EVERY);
    expect(r.types()).toEqual(['NDATA']);
    r.session.close();
    vi.advanceTimersByTime(5 * EVERY);
    expect(r.types()).toEqual([]);
  });
});
