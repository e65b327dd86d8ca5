/**
 * The dashboard's side of the snapshot/stream join (cloud/web/static/live.js): a page that rendered from a snapshot
 * gets exactly the events after the snapshot's Live-Event-Id, and is told to reload when the log cannot cover
 * the gap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveLog } from '../../../cloud/web/static/live.js';

type Got = [string, unknown][];
const recorder = () => {
  const got: Got = [];
  return { got, handler: (type: string, data: unknown) => got.push([type, data]) };
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('LiveLog', () => {
  it('replays the events after the snapshot id, then delivers new ones', () => {
    const log = new LiveLog();
    expect(log.hello({ epoch: 'e', lastEventId: 'e:10', resumed: false })).toBe(true);
    log.push('state', { s: 11 }, 'e:11');
    log.push('state', { s: 12 }, 'e:12');
    log.push('value', { s: 14 }, 'e:14');
    const { got, handler } = recorder();
    // the snapshot was read at seq 11: 12 and 14 happened while it travelled
    log.follow(handler, 'e:11');
    expect(got).toEqual([
      ['state', { s: 12 }],
      ['value', { s: 14 }],
    ]);
    log.push('state', { s: 15 }, 'e:15');
    expect(got.at(-1)).toEqual(['state', { s: 15 }]);
    // several snapshots: from the oldest
    const two = recorder();
    log.follow(two.handler, 'e:14', 'e:12');
    expect(two.got.map(([, d]) => d)).toEqual([{ s: 14 }, { s: 15 }]);
  });

  it('tells the page to reload when its snapshot is older than the stream (the gap the log cannot cover)', () => {
    const log = new LiveLog();
    log.hello({ epoch: 'e', lastEventId: 'e:20', resumed: false });
    const { got, handler } = recorder();
    log.follow(handler, 'e:19');
    expect(got).toEqual([]);
    vi.runAllTimers();
    expect(got).toEqual([['lagged', { reason: 'gap' }]]);
    // a second gap reload is slowed down (a reload loop against two API processes is bounded)
    log.replay(handler, 'e:19');
    vi.advanceTimersByTime(4000);
    expect(got).toHaveLength(1);
    vi.advanceTimersByTime(1500);
    expect(got).toHaveLength(2);
  });

  it('another epoch: reload when connected; wait for the reconnect when not', () => {
    const log = new LiveLog();
    log.hello({ epoch: 'e', lastEventId: 'e:1', resumed: false });
    const a = recorder();
    log.follow(a.handler, 'other:5');
    vi.runAllTimers();
    expect(a.got).toEqual([['lagged', { reason: 'epoch' }]]);
    log.disconnected();
    const b = recorder();
    log.follow(b.handler, 'other:5');
    vi.runAllTimers();
    expect(b.got).toEqual([]);
  });

  it('resumes a reconnect after the last event seen; a refused resume starts a new log', () => {
    const log = new LiveLog();
    expect(log.resumeId()).toBeUndefined();
    log.hello({ epoch: 'e', lastEventId: 'e:3', resumed: false });
    expect(log.resumeId()).toBe('e:3');
    log.push('value', {}, 'e:7');
    expect(log.resumeId()).toBe('e:7');
    log.disconnected();
    expect(log.hello({ epoch: 'e', lastEventId: 'e:9', resumed: true })).toBe(false);
    expect(log.from).toBe(3);
    expect(log.hello({ epoch: 'f', lastEventId: 'f:2', resumed: false })).toBe(true);
    expect(log.from).toBe(2);
    expect(log.resumeId()).toBe('f:2');
  });

  it('after the server dropped events for it, covers only from the next event on', () => {
    const log = new LiveLog();
    log.hello({ epoch: 'e', lastEventId: 'e:0', resumed: false });
    log.push('value', {}, 'e:1');
    log.lagged();
    expect(log.resumeId()).toBeUndefined();
    log.push('value', { s: 9 }, 'e:9');
    expect(log.from).toBe(8);
    const { got, handler } = recorder();
    log.follow(handler, 'e:8');
    expect(got).toEqual([['value', { s: 9 }]]);
  });

  it('keeps a bounded log and reports the gap it leaves', () => {
    const log = new LiveLog();
    log.hello({ epoch: 'e', lastEventId: 'e:0', resumed: false });
    for (let i = 1; i <= 5001; i++) log.push('value', { i }, `e:${i}`);
    expect(log.from).toBe(1);
    const { got, handler } = recorder();
    log.follow(handler, 'e:0');
    vi.runAllTimers();
    expect(got).toEqual([['lagged', { reason: 'gap' }]]);
  });
});
