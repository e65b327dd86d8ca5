/**
 * The behaviour every sink must have (a contract suite, docs/architecture.md#tests-against-real-services).
 * Run it for each sink implementation or API flavour with `sinkContract(name, setup)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxSink } from '../../../cloud/sink/influx-sink.js';
import { buildPoint } from '../../../protocols/influx/point-builder.js';

export type ContractSink = Pick<InfluxSink, 'write' | 'close'>;

export interface ContractTarget {
  /** a new sink on the target */
  makeSink(): ContractSink;
  /** what the target stored for `telemetry` field `v` of `device`, as [time ms, value] sorted by time */
  stored(device: string): Promise<[number, number][]>;
  teardown?(): Promise<void>;
}

const T0 = 1_700_000_000_000;

function points(device: string, n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => {
    const r = buildPoint({
      measurement: 'telemetry',
      tags: { site: 's', node: 'n', device },
      fields: { v: i + offset + 0.5 },
      timestamp: T0 + i * 1000,
    });
    if (!r.ok) throw new Error(r.reason);
    return r.point;
  });
}

export function sinkContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`sink contract: ${name}`, () => {
    let target: ContractTarget;
    let sink: ContractSink;

    beforeAll(async () => {
      target = await setup();
      sink = target.makeSink();
    });
    afterAll(async () => {
      await sink?.close();
      await target?.teardown?.();
    });

    it('an empty write stores nothing and reports nothing', async () => {
      expect(await sink.write([])).toEqual({ accepted: 0, rejected: [] });
    });

    it('every accepted point is stored with its time and value', async () => {
      expect(await sink.write(points('c-1', 50))).toEqual({ accepted: 50, rejected: [] });
      const stored = await target.stored('c-1');
      expect(stored).toHaveLength(50);
      expect(stored[0]).toEqual([T0, 0.5]);
      expect(stored[49]).toEqual([T0 + 49_000, 49.5]);
    });

    it('re-sending a batch (at-least-once redelivery) does not duplicate', async () => {
      await sink.write(points('c-2', 10));
      expect(await sink.write(points('c-2', 10))).toEqual({ accepted: 10, rejected: [] });
      const stored = await target.stored('c-2');
      expect(stored.map(([t]) => t)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 1000));
      expect(stored.map(([, v]) => v)).toEqual(Array.from({ length: 10 }, (_, i) => i + 0.5));
    });

    it('refuses writes after close(), as a non-retryable SINK_CLOSED', async () => {
      const s = target.makeSink();
      await s.close();
      await expect(s.write(points('c-3', 1))).rejects.toMatchObject({
        code: 'SINK_CLOSED',
        retryable: false,
      });
    });
  });
}
