/**
 * The agent's report-by-exception takes each point's deadband from the metrics its component declares, whatever the
 * protocol (it used to read Modbus `poll:` only, so DL/T 645 deadbands were ignored).
 */
import { describe, expect, it } from 'vitest';
import { resolveDeviceFor } from '../../../agent/config/load-agent-config.js';
import { dlt645 } from '../../../agent/sources/dlt645/index.js';
import { modbus } from '../../../agent/sources/modbus/index.js';
import { declaredMetrics } from '../../../agent/sources/registry.js';
import { s7 } from '../../../agent/sources/s7/index.js';

const deadbands = (d: Parameters<typeof declaredMetrics>[0]) =>
  Object.fromEntries(declaredMetrics(d).map((m) => [m.name, m.deadband]));

describe('declared deadbands', () => {
  it('come from Modbus, DL/T 645 and S7 points alike; a point without one has none', () => {
    expect(deadbands(resolveDeviceFor(modbus, modbus.sample))).toMatchObject({
      power_kw: 0.05,
      state_code: undefined,
    });
    expect(deadbands(resolveDeviceFor(dlt645, dlt645.sample))).toMatchObject({
      power_kw: 0.1,
      energy_kwh: undefined,
    });
    expect(deadbands(resolveDeviceFor(s7, s7.sample))).toMatchObject({
      power_kw: 0.05,
      part_count: undefined,
    });
  });
});
