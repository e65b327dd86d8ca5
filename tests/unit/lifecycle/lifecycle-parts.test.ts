/**
 * The pure parts of the data lifecycle and the fleet view: which lines go to the raw policy, which bucket a written
 * line marks, InfluxDB's duration text, the resolution a history request reads, and version order.
 */
import { describe, expect, it } from 'vitest';
import type { ApiContext } from '../../../cloud/api/api-context.js';
import { compareVersions } from '../../../cloud/api/fleet-registry.js';
import { chooseResolution } from '../../../cloud/api/read/resolution.js';
import { parseInfluxDuration } from '../../../cloud/lifecycle/retention.js';
import { telemetryLineKey } from '../../../cloud/lifecycle/rollups.js';
import { splitByPrefix } from '../../../cloud/sink/routing-sink.js';

const H = 3_600_000;
const D = 24 * H;

describe('routing by measurement', () => {
  it('keeps whole blocks whole and splits only blocks that hold both kinds', () => {
    const t1 = 'telemetry,device=a,node=n,site=s p=1 1000';
    const t2 = 'telemetry,device=b,node=n,site=s p=2 1000';
    const o1 = 'oee,device=a,site=s oee=0.5 1000';
    const q1 = 'quality,device=a,metric=telemetry,site=s quality="bad" 1000';
    const whole = { text: `${t1}\n${t2}`, lines: 2 };
    const other = { text: `${o1}\n${q1}`, lines: 2 };
    const mixed = { text: `${o1}\n${t1}\n${q1}\n${t2}`, lines: 4 };
    const { routed, rest } = splitByPrefix([whole, other, mixed, { text: t1, lines: 1 }], 'telemetry,');
    expect(routed[0]).toBe(whole);
    expect(rest[0]).toBe(other);
    expect(routed.slice(1)).toEqual([
      { text: `${t1}\n${t2}`, lines: 2 },
      { text: t1, lines: 1 },
    ]);
    expect(rest.slice(1)).toEqual([{ text: `${o1}\n${q1}`, lines: 2 }]);
  });
});

describe('roll-up marks', () => {
  it('reads the device and time of telemetry lines, escaped tag values included', () => {
    expect(
      telemetryLineKey('telemetry,device=press\\ 07\\,a,node=n,site=s p=1,s="x y" 1700000000123'),
    ).toEqual({
      device: 'press 07,a',
      time: 1_700_000_000_123,
    });
    expect(telemetryLineKey('telemetry,device=press-07,node=n p=1 1000')).toEqual({
      device: 'press-07',
      time: 1000,
    });
    expect(telemetryLineKey('telemetry,site=s,device=d7 p=1 5')).toEqual({ device: 'd7', time: 5 });
    expect(telemetryLineKey('oee,device=a,site=s oee=1 1000')).toBeUndefined();
  });
});

describe('InfluxDB durations', () => {
  it('parses SHOW RETENTION POLICIES durations, 0s being infinite', () => {
    expect(parseInfluxDuration('720h0m0s')).toBe(720 * H);
    expect(parseInfluxDuration('1h30m0s')).toBe(1.5 * H);
    expect(parseInfluxDuration('0s')).toBe(0);
    expect(parseInfluxDuration('')).toBeUndefined();
  });
});

describe('history resolution', () => {
  const now = Date.UTC(2026, 5, 1);
  const ctx = (rollups = true) =>
    ({
      clock: () => now,
      lifecycle: { rawMs: 30 * D, minuteMs: 730 * D, hourMs: 3650 * D, rollups: () => rollups },
    }) as unknown as ApiContext;
  const pick = (fromAgo: number, toAgo: number, step?: number, agg = 'mean', c = ctx()) =>
    chooseResolution(c, { from: now - fromAgo, to: now - toAgo }, step, agg);

  it('reads raw for a recent day, 1-minute roll-ups up to a month, hourly ones beyond', () => {
    expect(pick(D, 0)).toBe('raw');
    expect(pick(7 * D, 0, H)).toBe('1m');
    expect(pick(365 * D, 0, D)).toBe('1h');
  });

  it('reads roll-ups for a short span once it is older than the raw retention', () => {
    expect(pick(40 * D, 40 * D - H)).toBe('1m');
  });

  it('reads raw when the step or the aggregate cannot come from roll-ups, or there are none', () => {
    expect(pick(7 * D, 0, 90_000)).toBe('raw');
    expect(pick(7 * D, 0, H, 'median')).toBe('raw');
    expect(pick(365 * D, 0, D, 'mean', ctx(false))).toBe('raw');
  });
});

describe('versions', () => {
  it('orders dotted versions numerically, a pre-release below its release', () => {
    expect(compareVersions('0.10.0', '0.9.7')).toBe(1);
    expect(compareVersions('v1.2.0', '1.2.0')).toBe(0);
    expect(compareVersions('1.0.0-rc1', '1.0.0')).toBe(-1);
    expect(compareVersions('0.0.9', '0.1.0')).toBe(-1);
  });
});
