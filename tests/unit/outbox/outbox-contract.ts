/**
 * The contract every Outbox implementation honours (agent/outbox/outbox.ts), run against each of them like
 * aedes-persistence's abstract suite: FIFO, ids only grow, bounded by bytes with the oldest dropped and counted,
 * an entry leaves only through ack, samples come back exactly as stored.
 */
import { describe, expect, it } from 'vitest';
import type { Outbox, OutboxDrop } from '../../../agent/outbox/outbox.js';
import type { Sample } from '../../../protocols/sample.js';

export interface OutboxUnderTest {
  outbox: Outbox;
  drops: OutboxDrop[];
}

export type OutboxFactory = (maxBytes: number) => OutboxUnderTest;

const T0 = 1_700_000_000_000;

export function sample(device: string, metric: string, value: Sample['value'], i: number): Sample {
  return { device, metric, value, timestamp: T0 + i, quality: 'good' };
}

function batch(device: string, i: number): Sample[] {
  return [sample(device, 'count', i, i), sample(device, 'temp', 20 + i / 10, i)];
}

export function outboxContract(name: string, make: OutboxFactory): void {
  describe(`Outbox contract: ${name}`, () => {
    it('starts empty', async () => {
      const { outbox } = make(1 << 20);
      expect(outbox.peekAfter(0, 10)).toEqual([]);
      expect(outbox.lastId()).toBe(0);
      const s = outbox.stats(T0);
      expect(s).toMatchObject({ messages: 0, bytes: 0, oldestAgeMs: 0, dropped: 0, droppedSamples: 0 });
      await outbox.close();
    });

    it('gives batches back in append order, with ids that grow', async () => {
      const { outbox } = make(1 << 20);
      const ids = [0, 1, 2, 3, 4].map(
        (i) => outbox.append(i % 2 ? 'b' : 'a', batch(i % 2 ? 'b' : 'a', i), T0)?.id,
      );
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      const nums = ids as number[];
      for (let i = 1; i < nums.length; i++) expect(nums[i]).toBeGreaterThan(nums[i - 1] as number);
      const all = outbox.peekAfter(0, 100);
      expect(all.map((e) => e.id)).toEqual(nums);
      expect(all.map((e) => e.device)).toEqual(['a', 'b', 'a', 'b', 'a']);
      expect(all[3]?.samples).toEqual(batch('b', 3));
      expect(outbox.lastId()).toBe(nums[4]);
      expect(outbox.peekAfter(nums[1] as number, 2).map((e) => e.id)).toEqual([nums[2], nums[3]]);
      expect(outbox.peekAfter(nums[4] as number, 10)).toEqual([]);
      await outbox.close();
    });

    it('returns every kind of value exactly as stored (bigint, non-finite bad values, null, strings, flags)', async () => {
      const { outbox } = make(1 << 20);
      const samples: Sample[] = [
        { device: 'd', metric: 'big', value: 2n ** 63n - 1n, timestamp: T0, quality: 'good' },
        { device: 'd', metric: 'neg', value: -(2n ** 63n), timestamp: T0, quality: 'good' },
        {
          device: 'd',
          metric: 'nan',
          value: Number.NaN,
          timestamp: T0,
          quality: 'bad',
          qualityCode: 0x80000000,
        },
        { device: 'd', metric: 'inf', value: Number.NEGATIVE_INFINITY, timestamp: T0, quality: 'bad' },
        { device: 'd', metric: 'nul', value: null, timestamp: T0, quality: 'uncertain' },
        { device: 'd', metric: 'txt', value: 'a "quoted"\nline ✓', timestamp: T0 + 1, quality: 'good' },
        { device: 'd', metric: 'flag', value: false, timestamp: T0 + 2, quality: 'good', historical: true },
        { device: 'd', metric: 'f', value: -0.125, timestamp: T0 + 3, quality: 'good', qualityCode: 0 },
      ];
      outbox.append('d', samples, T0);
      const [e] = outbox.peekAfter(0, 1);
      expect(e?.samples).toEqual(samples);
      await outbox.close();
    });

    it('lets an entry leave only through ack, and never reuses an id', async () => {
      const { outbox } = make(1 << 20);
      const a = outbox.append('a', batch('a', 1), T0);
      const b = outbox.append('a', batch('a', 2), T0);
      if (!a || !b) throw new Error('append failed');
      expect(outbox.peekAfter(0, 10)).toHaveLength(2);
      outbox.ack(a.id);
      outbox.ack(a.id); // twice: no effect
      outbox.ack(9_999_999); // unknown: no effect
      expect(outbox.peekAfter(0, 10).map((e) => e.id)).toEqual([b.id]);
      expect(outbox.stats(T0)).toMatchObject({ messages: 1, bytes: b.bytes, acked: 1 });
      outbox.ack(b.id);
      expect(outbox.stats(T0)).toMatchObject({ messages: 0, bytes: 0, acked: 2 });
      const c = outbox.append('a', batch('a', 3), T0);
      expect(c?.id).toBeGreaterThan(b.id);
      expect(outbox.lastId()).toBe(c?.id);
      await outbox.close();
    });

    it('counts bytes and the age of the oldest entry', async () => {
      const { outbox } = make(1 << 20);
      const a = outbox.append('a', batch('a', 1), T0);
      const b = outbox.append('a', batch('a', 2), T0 + 500);
      expect(a?.bytes).toBeGreaterThan(0);
      const s = outbox.stats(T0 + 2000);
      expect(s.bytes).toBe((a?.bytes ?? 0) + (b?.bytes ?? 0));
      expect(s.oldestAgeMs).toBe(2000);
      if (a) outbox.ack(a.id);
      expect(outbox.stats(T0 + 2000).oldestAgeMs).toBe(1500);
      await outbox.close();
    });

    it('drops the oldest batches when full, counts them and reports each', async () => {
      const probe = make(1 << 20);
      const size = probe.outbox.append('a', batch('a', 1), T0)?.bytes ?? 0;
      await probe.outbox.close();
      const { outbox, drops } = make(Math.floor(size * 3.5));
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) ids.push(outbox.append('a', batch('a', i), T0 + i)?.id ?? -1);
      const left = outbox.peekAfter(0, 100);
      expect(left.map((e) => e.id)).toEqual(ids.slice(7));
      expect(left[0]?.samples).toEqual(batch('a', 7));
      const s = outbox.stats(T0 + 10);
      expect(s.messages).toBe(3);
      expect(s.bytes).toBeLessThanOrEqual(Math.floor(size * 3.5));
      expect(s.dropped).toBe(7);
      expect(s.droppedSamples).toBe(14);
      expect(drops.map((d) => d.id)).toEqual(ids.slice(0, 7));
      expect(drops.every((d) => d.reason === 'full' && d.samples === 2 && d.device === 'a')).toBe(true);
      await outbox.close();
    });

    it('counts a dropped batch whose PUBACK arrives anyway (it was in flight) as delivered', async () => {
      const probe = make(1 << 20);
      const size = probe.outbox.append('a', batch('a', 1), T0)?.bytes ?? 0;
      await probe.outbox.close();
      const { outbox } = make(Math.floor(size * 2.5));
      const inFlight = outbox.append('a', batch('a', 0), T0);
      expect(outbox.peekAfter(0, 1).map((e) => e.id)).toEqual([inFlight?.id]);
      for (let i = 1; i <= 3; i++) outbox.append('a', batch('a', i), T0);
      expect(outbox.stats(T0)).toMatchObject({ dropped: 2, droppedSamples: 4, droppedDelivered: 0 });
      outbox.ack(inFlight?.id ?? -1); // its PUBACK, after the drop
      outbox.ack(inFlight?.id ?? -1); // a second time: counted once
      expect(outbox.stats(T0)).toMatchObject({
        dropped: 2,
        droppedDelivered: 1,
        droppedDeliveredSamples: 2,
        acked: 0,
      });
      await outbox.close();
    });

    it('keeps the newest batch even when it alone is larger than the bound', async () => {
      const { outbox, drops } = make(10);
      outbox.append('a', batch('a', 1), T0);
      const big = outbox.append('a', batch('a', 2), T0);
      expect(outbox.peekAfter(0, 10).map((e) => e.id)).toEqual([big?.id]);
      expect(drops).toHaveLength(1);
      await outbox.close();
    });

    it('counts replayed batches', async () => {
      const { outbox } = make(1 << 20);
      outbox.markReplayed(3);
      outbox.markReplayed(2);
      expect(outbox.stats(T0).replayed).toBe(5);
      await outbox.close();
    });
  });
}
