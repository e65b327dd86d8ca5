/**
 * Plans the requests that read a group of MC points: points of one device close together are merged into one batch
 * read (0401) within the frame's point limit, reading across holes of up to `maxGap` words (×16 points for bit
 * devices); the word points left alone, one or two words wide, are gathered into random reads (0403) of up to
 * 192 points. Pure.
 */

import { MAX_RANDOM_POINTS, type McReadCommand } from './commands.js';
import type { McAddress, McDeviceName } from './devices.js';
import type { ResolvedMcPoint } from './point.js';

export interface PlanLimits {
  maxWordsPerRequest: number;
  maxBitsPerRequest: number;
  /** words; bit devices read across 16× as many points */
  maxGap: number;
  randomRead: boolean;
}

/** Where a point's value sits in the read's result: words (or bits) from `offset`. */
export interface PlacedPoint {
  point: ResolvedMcPoint;
  offset: number;
}

export interface McPlannedRead {
  command: McReadCommand;
  points: PlacedPoint[];
}

interface Run {
  device: McDeviceName;
  bit: boolean;
  start: number;
  end: number;
  points: ResolvedMcPoint[];
}

export function planMcReads(points: readonly ResolvedMcPoint[], limits: PlanLimits): McPlannedRead[] {
  const byDevice = new Map<McDeviceName, ResolvedMcPoint[]>();
  for (const p of points) {
    const list = byDevice.get(p.address.device) ?? [];
    list.push(p);
    byDevice.set(p.address.device, list);
  }
  const runs: Run[] = [];
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a.address.number - b.address.number || b.width - a.width);
    const bit = list[0]?.bit ?? false;
    const max = bit ? limits.maxBitsPerRequest : limits.maxWordsPerRequest;
    const gap = bit ? limits.maxGap * 16 : limits.maxGap;
    let run: Run | undefined;
    for (const p of list) {
      const start = p.address.number;
      const end = start + p.width;
      if (run !== undefined && start - run.end <= gap && Math.max(run.end, end) - run.start <= max) {
        run.end = Math.max(run.end, end);
        run.points.push(p);
        continue;
      }
      run = { device, bit, start, end, points: [p] };
      runs.push(run);
    }
  }
  const out: McPlannedRead[] = [];
  const loners: ResolvedMcPoint[] = [];
  for (const r of runs) {
    const only = r.points[0];
    if (limits.randomRead && !r.bit && r.points.length === 1 && only !== undefined && only.width <= 2) {
      loners.push(only);
      continue;
    }
    out.push(batch(r));
  }
  if (loners.length === 1) {
    const p = loners[0] as ResolvedMcPoint;
    out.push(
      batch({ device: p.address.device, bit: false, start: p.address.number, end: 0, points: [p] }, p.width),
    );
  } else {
    for (let i = 0; i < loners.length; i += MAX_RANDOM_POINTS)
      out.push(random(loners.slice(i, i + MAX_RANDOM_POINTS)));
  }
  return out;
}

function batch(r: Run, count = r.end - r.start): McPlannedRead {
  const head: McAddress = { device: r.device, number: r.start };
  return {
    command: { kind: 'batch', unit: r.bit ? 'bit' : 'word', head, count },
    points: r.points.map((point) => ({ point, offset: point.address.number - r.start })),
  };
}

/** Words first, then double words (each two words in the decoded result, low word first). */
function random(points: ResolvedMcPoint[]): McPlannedRead {
  const words = points.filter((p) => p.width === 1);
  const dwords = points.filter((p) => p.width === 2);
  return {
    command: { kind: 'random', words: words.map((p) => p.address), dwords: dwords.map((p) => p.address) },
    points: [
      ...words.map((point, i) => ({ point, offset: i })),
      ...dwords.map((point, i) => ({ point, offset: words.length + 2 * i })),
    ],
  };
}

/** "D100+3 word, M0+16 bit, random 4 words 2 dwords" for logs. */
export function describeMcPlan(plan: readonly McPlannedRead[], format: (a: McAddress) => string): string {
  return plan
    .map(({ command: c }) =>
      c.kind === 'batch'
        ? `${format(c.head)}+${c.count} ${c.unit}`
        : `random ${c.words.length} word(s) ${c.dwords.length} dword(s)`,
    )
    .join(', ');
}
