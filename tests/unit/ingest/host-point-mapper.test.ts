/**
 * HostPointMapper works out once per device and metric what its values need (series, integer kind, or why they
 * cannot be stored: cloud/ingest/points-from-host.ts `FieldPlan`); a new birth or new tags must make it think again.
 */
import { describe, expect, test } from 'vitest';
import { HostSamples } from '../../../cloud/host/host-samples.js';
import type { BirthInfo, HostResult, HostSample } from '../../../cloud/host/host-types.js';
import { emptyResult } from '../../../cloud/host/host-types.js';
import { HostPointMapper } from '../../../cloud/ingest/points-from-host.js';
import type { MetricKind } from '../../../protocols/metric.js';

const T = 1_767_225_600_000;
const birth = (metrics: [string, MetricKind][], tags: Record<string, string> = {}): BirthInfo => ({
  site: 's',
  node: 'n',
  device: 'd',
  metrics: metrics.map(([name, kind]) => ({ name, kind })),
  tags,
});
const sample = (metric: string, value: HostSample['value'], t = T): HostSample => ({
  site: 's',
  node: 'n',
  device: 'd',
  metric,
  value,
  timestamp: t,
  quality: 'good',
});
const result = (over: Partial<Omit<HostResult, 'samples'>> & { samples?: HostSample[] }): HostResult => ({
  ...emptyResult(),
  ...over,
  samples: HostSamples.of(over.samples ?? []),
});
const telemetry = (lines: string[]) => lines.filter((l) => l.startsWith('telemetry'));

describe('HostPointMapper field plans', () => {
  test('a rebirth that makes a metric an integer writes its next value as an integer field', () => {
    const m = new HostPointMapper();
    m.map(result({ births: [birth([['count', 'double']])] }));
    expect(telemetry(m.map(result({ samples: [sample('count', 5)] })).batch.toLines())).toEqual([
      `telemetry,device=d,node=n,site=s count=5 ${T}`,
    ]);
    m.map(result({ births: [birth([['count', 'int64']])] }));
    const after = m.map(result({ samples: [sample('count', 6, T + 1)] }));
    expect(telemetry(after.batch.toLines())).toEqual([`telemetry,device=d,node=n,site=s count=6i ${T + 1}`]);
    // and a fraction is now refused, counted per value
    const frac = m.map(result({ samples: [sample('count', 6.5, T + 2)] }));
    expect(frac.dropped).toEqual([expect.objectContaining({ code: 'TYPE_MISMATCH', count: 1 })]);
  });

  test('new tags from a birth move a metric off or onto the line of the tag named like it', () => {
    const m = new HostPointMapper();
    m.map(result({ births: [birth([['line', 'string']], { line: 'L3' })] }));
    // a tag named like the metric is left off that metric's line
    expect(telemetry(m.map(result({ samples: [sample('line', 'a')] })).batch.toLines())).toEqual([
      `telemetry,device=d,node=n,site=s line="a" ${T}`,
    ]);
    m.map(result({ births: [birth([['line', 'string']], { area: 'A1' })] }));
    expect(telemetry(m.map(result({ samples: [sample('line', 'b', T + 1)] })).batch.toLines())).toEqual([
      `telemetry,area=A1,device=d,node=n,site=s line="b" ${T + 1}`,
    ]);
  });

  test('a metric named like a core tag or a reserved key is refused for every value, and still goes stale', () => {
    const m = new HostPointMapper();
    m.map(result({ births: [birth([])] }));
    const r = m.map(
      result({ samples: [sample('device', 1), sample('time', 2), sample('device', 3, T + 1)] }),
    );
    expect(telemetry(r.batch.toLines())).toEqual([]);
    expect(r.dropped.find((x) => x.code === 'BAD_KEY')?.count).toBe(3);
    // known from its data: a death marks it stale
    const death = m.map(
      result({
        status: [{ site: 's', node: 'n', device: 'd', online: false, reason: 'DDEATH', timestamp: T + 5 }],
      }),
    );
    const stale = death.batch.toLines().filter((l) => l.startsWith('quality') && l.includes('code=500i'));
    expect(stale.map((l) => l.split(',').find((p) => p.startsWith('metric=')))).toEqual([
      'metric=device',
      'metric=time',
    ]);
  });

  test('values of several timestamps in one message each get their own line', () => {
    const m = new HostPointMapper();
    m.map(result({ births: [birth([['a', 'double']])] }));
    const r = m.map(result({ samples: [sample('a', 1, T), sample('a', 2, T + 10), sample('a', 3, T)] }));
    expect(telemetry(r.batch.toLines()).sort()).toEqual([
      `telemetry,device=d,node=n,site=s a=2 ${T + 10}`,
      `telemetry,device=d,node=n,site=s a=3 ${T}`,
    ]);
  });
});
