import { describe, expect, it } from 'vitest';
import { checkMcDevice, mcMetrics } from '../../../agent/sources/mc/check.js';
import { declaredMetrics } from '../../../agent/sources/registry.js';
import { formatMcAddress, parseMcAddress } from '../../../protocols/mc/devices.js';
import { type McPointSpec, type ResolvedMcPoint, resolveMcPoint } from '../../../protocols/mc/point.js';
import { describeMcPlan, planMcReads } from '../../../protocols/mc/request-planner.js';
import { mcDevice } from '../../integration/mc/helpers.js';

const limits = { maxWordsPerRequest: 960, maxBitsPerRequest: 3584, maxGap: 16, randomRead: true };
const resolve = (points: McPointSpec[]): ResolvedMcPoint[] =>
  points.map((p) => {
    const r = resolveMcPoint(p, 'Q');
    if (Array.isArray(r)) throw new Error(r[0]?.message);
    return r;
  });
const describe_ = (points: McPointSpec[], l = limits) =>
  describeMcPlan(planMcReads(resolve(points), l), (a) => formatMcAddress(a, 'Q'));

describe('MC request planner', () => {
  it("merges a device's points within maxGap into one batch read, bits in bit units", () => {
    expect(
      describe_([
        { name: 'a', device: 'D100' },
        { name: 'b', device: 'D110', type: 'float64' },
        { name: 'c', device: 'M0' },
        { name: 'd', device: 'M200' },
      ]),
    ).toBe('D100+14 word, M0+201 bit');
  });

  it('splits at the frame limit and past maxGap; loners of one or two words go to one random read', () => {
    expect(
      describe_(
        [
          { name: 'a', device: 'D0', type: 'string', length: 8 },
          { name: 'b', device: 'D8', type: 'string', length: 8 },
          { name: 'far', device: 'D1000', type: 'int32' },
          { name: 'tn', device: 'TN5' },
        ],
        { ...limits, maxWordsPerRequest: 10 },
      ),
    ).toBe('D0+8 word, D8+8 word, random 1 word(s) 1 dword(s)');
  });

  it('a single loner is a batch read; randomRead: false keeps every run a batch read', () => {
    expect(describe_([{ name: 'a', device: 'D0' }])).toBe('D0+1 word');
    expect(
      describe_(
        [
          { name: 'a', device: 'D0' },
          { name: 'b', device: 'R0' },
        ],
        { ...limits, randomRead: false },
      ),
    ).toBe('D0+1 word, R0+1 word');
  });

  it('places each point of a random read where its words land: words first, then double words', () => {
    const plan = planMcReads(
      resolve([
        { name: 'dw', device: 'D500', type: 'uint32' },
        { name: 'w', device: 'R7' },
      ]),
      limits,
    );
    expect(plan[0]?.points.map((p) => [p.point.spec.name, p.offset])).toEqual([
      ['w', 0],
      ['dw', 1],
    ]);
  });
});

describe('MC addresses', () => {
  it('reads two-letter devices before one-letter ones and refuses the impossible', () => {
    expect(parseMcAddress('SD210', 'Q')).toEqual({ device: 'SD', number: 210 });
    expect(parseMcAddress('zr20000', 'Q')).toEqual({ device: 'ZR', number: 20000 });
    expect(parseMcAddress('W1F', 'iQ-F')).toEqual({ device: 'W', number: 0x1f });
    expect(parseMcAddress('X17', 'iQ-F')).toEqual({ device: 'X', number: 15 });
    expect(parseMcAddress('DX1', 'Q')).toMatchObject({
      problem: expect.stringMatching(/D numbers are decimal/),
    });
  });
});

describe('MC device check and declared metrics', () => {
  const input = (maxWordsPerRequest: number) => ({
    id: 'p',
    mc: { url: 'tcp://127.0.0.1:5002', series: 'iQ-F' as const, maxWordsPerRequest },
    mcPoll: [
      {
        every: '1s',
        points: [
          { name: 'power_kw', device: 'D110', type: 'float32' as const, deadband: 0.05 },
          { name: 'long', device: 'D0', type: 'string' as const, length: 8 },
        ],
      },
    ],
  });

  it('refuses a point wider than one request', () => {
    expect(() => mcDevice(input(4))).toThrow(
      /mcPoll\[0\]\.points\[1\]\.length: 8 words do not fit one request \(maxWordsPerRequest 4\)/,
    );
    expect(checkMcDevice(mcDevice(input(8)))).toEqual([]);
  });

  it('declares each point with its type and deadband, which the agent applies (report by exception)', () => {
    const device = mcDevice(input(960));
    expect(mcMetrics(device)[0]).toEqual({
      name: 'power_kw',
      path: ['mcPoll', 0, 'points', 0, 'name'],
      type: 'float32',
      deadband: 0.05,
    });
    expect(declaredMetrics(device).find((m) => m.name === 'power_kw')?.deadband).toBe(0.05);
  });
});
