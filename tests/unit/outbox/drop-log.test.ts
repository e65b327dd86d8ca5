import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboxDropLog } from '../../../agent/outbox/drop-log.js';
import type { OutboxDrop } from '../../../agent/outbox/outbox.js';
import { captureLog } from '../../helpers/log-capture.js';

const capture = () => captureLog();

const drop = (id: number, samples = 2): OutboxDrop => ({
  id,
  device: 'd',
  samples,
  bytes: 100,
  createdAt: Date.UTC(2026, 0, 1) + id,
  reason: 'full',
});

describe('OutboxDropLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first drop at once, then one summary per interval however many drops come', async () => {
    let now = 0;
    const { log, lines } = capture();
    const dl = new OutboxDropLog(log, { everyMs: 10_000, clock: () => now });
    dl.note(drop(1));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ batches: 1, samples: 2, level: 40 });
    for (let i = 2; i <= 500; i++) {
      now += 10;
      dl.note(drop(i));
    }
    expect(lines).toHaveLength(1);
    now = 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      batches: 499,
      samples: 998,
      oldestDroppedAt: '2026-01-01T00:00:00.002Z',
    });
  });

  it('flushes what is pending on demand (shutdown) and ignores damaged-row drops (logged by the outbox)', () => {
    const { log, lines } = capture();
    const dl = new OutboxDropLog(log, { clock: () => 0 });
    dl.note(drop(1));
    dl.note(drop(2));
    dl.note({ ...drop(3), reason: 'corrupt' });
    dl.flush();
    expect(lines.map((l) => l['batches'])).toEqual([1, 1]);
  });
});
