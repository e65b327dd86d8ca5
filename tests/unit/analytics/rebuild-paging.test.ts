import { describe, expect, it } from 'vitest';
import { createAnalytics, type Row } from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { cst, silentLog } from './support.js';

describe('rebuild paging', () => {
  it('reads every telemetry row of a long horizon in pages, none skipped at page boundaries', async () => {
    const start = cst('2026-11-25T08:00:00');
    // 25,000 part-count readings one second apart, several sharing a page-boundary timestamp's neighbourhood.
    const rows: Row[] = Array.from({ length: 25_000 }, (_, i) => ({
      time: start - 25_000_000 + i * 1000,
      site: 'cq',
      node: 'gw1',
      part_count: i,
      // a one-second idle exactly on each page boundary (rows 9,999 and 19,998)
      state_code: i === 9_999 || i === 19_998 ? 2 : 1,
    }));
    const queries: string[] = [];
    const query = async (q: string): Promise<Row[]> => {
      queries.push(q);
      if (!q.includes('FROM "telemetry"') || q.includes('last(')) return [];
      const from = Number(/time >= (-?\d+)ms/.exec(q)?.[1]);
      const limit = Number(/LIMIT (\d+)/.exec(q)?.[1]);
      return rows.filter((r) => (r.time as number) >= from).slice(0, limit);
    };
    const engine = createAnalytics(
      analyticsConfig({
        timezone: 'Asia/Shanghai',
        machines: [
          {
            device: 'm1',
            state: { metric: 'state_code', kind: 'code', map: { '1': 'running', '2': 'idle' } },
            total: { metric: 'part_count' },
            idealCycle: '1s',
          },
        ],
      }),
      { log: silentLog, query, clock: () => start },
    );
    await engine.rebuild(start);
    const paged = queries.filter((q) => q.includes('LIMIT 10000'));
    expect(paged.length).toBe(3);
    const out = engine.tick(start);
    const idle = out.points
      .map((p) => p.toLineProtocol() ?? '')
      .filter((l) => l.startsWith('machine_state,') && l.includes('state="idle"'))
      .map((l) => Number(l.split(' ').at(-1)) / 1_000_000);
    expect(idle).toEqual([rows[9_999]?.time, rows[19_998]?.time]);
  });
});
