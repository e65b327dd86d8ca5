import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { StalenessWatchdog } from '../../../agent/sources/opcua/staleness-watchdog.js';

describe('StalenessWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('keeps quiet while data or keep-alives arrive, fires once after the timeout of silence', () => {
    const onStale = vi.fn();
    const w = new StalenessWatchdog({ timeoutMs: 1000, onStale });
    w.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(600);
      w.touch();
    }
    expect(onStale).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1300);
    expect(onStale).toHaveBeenCalledTimes(1);
    expect(onStale.mock.calls[0]?.[0]).toBeGreaterThan(1000);
    vi.advanceTimersByTime(10_000);
    expect(onStale).toHaveBeenCalledTimes(1);
  });

  test('stop() disarms it', () => {
    const onStale = vi.fn();
    const w = new StalenessWatchdog({ timeoutMs: 500, onStale });
    w.start();
    w.stop();
    vi.advanceTimersByTime(5000);
    expect(onStale).not.toHaveBeenCalled();
  });
});
