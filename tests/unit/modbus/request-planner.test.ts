import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import { describePlan, planRequests } from '../../../protocols/modbus/request-planner.js';

interface CaseConfig {
  modbus: { maxRegistersPerRequest?: number; maxBitsPerRequest?: number; maxGap?: number };
  poll: { every: string; points: ModbusPointSpec[] }[];
}
interface ExpectedGroup {
  every: string;
  requests: {
    table: string;
    functionCode: number;
    address: number;
    count: number;
    points: Record<string, number>;
  }[];
}

const casesDir = join(import.meta.dirname, 'cases');
const cases = readdirSync(casesDir);

describe('request planner golden cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(casesDir, name);
      const cfg = parse(readFileSync(join(dir, 'config.yaml'), 'utf8')) as CaseConfig;
      const limits = cfg.modbus;
      if (existsSync(join(dir, 'error.txt'))) {
        const want = readFileSync(join(dir, 'error.txt'), 'utf8').trim().split('\n');
        const got = cfg.poll.flatMap((g) => {
          const r = planRequests(g.points, limits);
          return r.ok ? [] : r.problems.map((p) => `${p.point}: ${p.message}`);
        });
        expect(got).toEqual(want);
        return;
      }
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as ExpectedGroup[];
      const got: ExpectedGroup[] = cfg.poll.map((g) => {
        const r = planRequests(g.points, limits);
        if (!r.ok) throw new Error(JSON.stringify(r.problems));
        return {
          every: g.every,
          requests: r.requests.map((q) => ({
            table: q.table,
            functionCode: q.functionCode,
            address: q.address,
            count: q.count,
            points: Object.fromEntries(q.points.map((pp) => [pp.point.name, pp.offset])),
          })),
        };
      });
      expect(got).toEqual(expected);
    });
  }
  it('describes a plan as "N requests for M points"', () => {
    const r = planRequests([
      { name: 'a', table: 'holding', address: 0 },
      { name: 'b', table: 'holding', address: 1 },
      { name: 'c', table: 'coil', address: 0 },
    ]);
    if (!r.ok) throw new Error('plan failed');
    expect(describePlan(r.requests)).toBe('2 requests for 3 points (2 registers, 1 bits)');
  });
});
