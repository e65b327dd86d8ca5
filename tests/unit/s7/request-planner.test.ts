import { describe, expect, it } from 'vitest';
import { resolveS7Point, type S7PointSpec } from '../../../protocols/s7/point.js';
import {
  describeS7Plan,
  maxItemBytes,
  planS7Requests,
  RESPONSE_OVERHEAD,
  responseItemBytes,
} from '../../../protocols/s7/request-planner.js';

function resolved(points: S7PointSpec[]) {
  return points.map((p) => {
    const r = resolveS7Point(p);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.resolved;
  });
}
const items = (plan: ReturnType<typeof planS7Requests>) =>
  plan.requests.map((r) => r.items.map((i) => `${i.area}${i.db ?? ''}@${i.start}+${i.length}`));

describe('S7 request planner', () => {
  it('merges neighbours of one area and DB into one item, within maxGap, and keeps areas and DBs apart', () => {
    const plan = planS7Requests(
      resolved([
        { name: 'a', address: 'DB1.DBD0', type: 'real' },
        { name: 'b', address: 'DB1.DBW4', type: 'int' },
        { name: 'c', address: 'DB1.DBX20.0' }, // 14-byte hole: merged (maxGap 16)
        { name: 'd', address: 'DB1.DBW60' }, // 39-byte hole: new item
        { name: 'e', address: 'DB2.DBW0' },
        { name: 'f', address: 'MW0' },
        { name: 'g', address: 'M1.2' },
        { name: 'h', address: 'T0' },
        { name: 'i', address: 'T2' },
      ]),
      { pduSize: 240 },
    );
    expect(items(plan)).toEqual([['DB1@0+21', 'DB1@60+2', 'DB2@0+2', 'M@0+2', 'T@0+3']]);
    const first = plan.requests[0]?.items[0];
    expect(first?.points.map((p) => [p.resolved.point.name, p.offset])).toEqual([
      ['a', 0],
      ['b', 4],
      ['c', 20],
    ]);
    // timers are 2 bytes each: T2 is 4 bytes into the T item
    expect(plan.requests[0]?.items[4]?.points.map((p) => p.offset)).toEqual([0, 4]);
    expect(describeS7Plan(plan)).toBe('1 request, 5 items for 9 points (33 bytes)');
  });

  it('never reads across a hole with maxGap 0', () => {
    const plan = planS7Requests(
      resolved([
        { name: 'a', address: 'DB1.DBW0' },
        { name: 'b', address: 'DB1.DBW2' },
        { name: 'c', address: 'DB1.DBW6' },
      ]),
      { pduSize: 240, maxGap: 0 },
    );
    expect(items(plan)).toEqual([['DB1@0+4', 'DB1@6+2']]);
  });

  it('splits what one PDU cannot carry: an item at most PDU − 18 bytes, a request answer within the PDU', () => {
    const strings = resolved(
      [0, 1, 2].map((i) => ({
        name: `s${i}`,
        address: `DB1.${i * 100}`,
        type: 'string' as const,
        length: 98,
      })),
    );
    const plan = planS7Requests(strings, { pduSize: 240 });
    // 222 bytes per item: two strings (200 bytes) fit one item, the third starts another, in another request
    expect(maxItemBytes(240)).toBe(222);
    expect(items(plan)).toEqual([['DB1@0+200'], ['DB1@200+100']]);
    for (const r of plan.requests)
      expect(RESPONSE_OVERHEAD + r.items.reduce((n, i) => n + responseItemBytes(i), 0)).toBeLessThanOrEqual(
        240,
      );
    // the same points at PDU 960: one item
    expect(items(planS7Requests(strings, { pduSize: 960 }))).toEqual([['DB1@0+300']]);
  });

  it('puts at most maxItemsPerRequest items in a request, and sets aside points too large for any item', () => {
    const many = resolved(
      Array.from({ length: 25 }, (_, i) => ({ name: `p${i}`, address: `DB${i + 1}.DBW0` })),
    );
    const plan = planS7Requests(many, { pduSize: 960 });
    expect(plan.requests.map((r) => r.items.length)).toEqual([20, 5]);
    expect(planS7Requests(many, { pduSize: 960, maxItemsPerRequest: 10 }).requests).toHaveLength(3);
    const big = resolved([{ name: 'big', address: 'DB1.0', type: 'string', length: 254 }]);
    const p = planS7Requests(big, { pduSize: 240 });
    expect(p.requests).toEqual([]);
    expect(p.tooLarge.map((r) => r.point.name)).toEqual(['big']);
  });
});
