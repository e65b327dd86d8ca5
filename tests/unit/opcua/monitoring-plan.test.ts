/** Monitoring parameters from config: defaults, grouping, publishing interval, watchdog timeout. */
import { describe, expect, test } from 'vitest';
import { planSubscription } from '../../../agent/sources/opcua/monitoring-plan.js';
import { watchdogTimeoutMs } from '../../../agent/sources/opcua/staleness-watchdog.js';
import { opcuaDevice } from '../../helpers/configs.js';

/** The connection and items as the loader resolves them (defaults from the spec). */
function resolved(
  opcua: { publishingInterval?: string },
  subscribe: NonNullable<Parameters<typeof opcuaDevice>[0]['subscribe']>,
) {
  const d = opcuaDevice({ id: 'x', opcua: { endpoint: 'opc.tcp://127.0.0.1:4840', ...opcua }, subscribe });
  return [d.opcua, d.subscribe ?? []] as const;
}

describe('planSubscription', () => {
  test('publishing interval = smallest sampling interval; queue keeps every sample between publishes', () => {
    const plan = planSubscription(
      ...resolved({}, [
        { name: 'a', node: 'i=1', samplingInterval: '100ms' },
        { name: 'b', node: 'i=2', samplingInterval: '1s', queueSize: 3, discardOldest: false },
        { name: 'c', node: 'i=3', samplingInterval: 100, deadband: { percent: 2 } },
        { name: 'd', node: 'i=4', samplingInterval: '100ms' },
      ]),
    );
    expect(plan.publishingIntervalMs).toBe(100);
    expect(plan.groups.map((g) => [g.params, g.items.map((i) => i.item.name)])).toEqual([
      [{ samplingInterval: 100, queueSize: 1, discardOldest: true, deadband: undefined }, ['a', 'd']],
      [{ samplingInterval: 1000, queueSize: 3, discardOldest: false, deadband: undefined }, ['b']],
      [
        { samplingInterval: 100, queueSize: 1, discardOldest: true, deadband: { type: 'percent', value: 2 } },
        ['c'],
      ],
    ]);
  });

  test('a configured publishing interval sizes the default queue', () => {
    const plan = planSubscription(
      ...resolved({ publishingInterval: '1s' }, [
        { name: 'a', node: 'i=1', samplingInterval: '250ms', deadband: { absolute: 0.5 } },
      ]),
    );
    expect(plan.publishingIntervalMs).toBe(1000);
    expect(plan.groups[0]?.params).toEqual({
      samplingInterval: 250,
      queueSize: 4,
      discardOldest: true,
      deadband: { type: 'absolute', value: 0.5 },
    });
    expect(plan.watchdogIntervals).toBe(10);
  });

  test('watchdog: N publishing intervals, never less than two keep-alive periods', () => {
    expect(watchdogTimeoutMs(1000, 5, 10)).toBe(10_000);
    expect(watchdogTimeoutMs(100, 5, 2)).toBe(1000);
  });
});
