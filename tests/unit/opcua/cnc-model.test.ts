/** The CNC machine model on its own (no server): cycles, part counter, setups, alarms, determinism. */
import { describe, expect, test } from 'vitest';
import { createCnc } from '../../../simulators/opcua/models/cnc.js';

function run(model: ReturnType<typeof createCnc>, seconds: number, stepMs = 100): void {
  const t0 = Date.UTC(2026, 0, 1);
  for (let t = 0; t < seconds * 1000; t += stepMs) model.step(stepMs, new Date(t0 + t));
}

describe('CNC model', () => {
  test('running: spindle near setpoint, one part per cycle, cycle time recorded', () => {
    const m = createCnc({ seed: 3, tuning: { cycleTimeS: 10, mtbfS: 1e12 } });
    run(m, 35);
    expect(m.get('State')).toBe('Running');
    expect(m.get('StateCode')).toBe(1);
    expect(Math.abs(Number(m.get('Spindle.Speed')) - 8000)).toBeLessThan(100);
    expect(m.get('PartCount')).toBe(3);
    expect(Number(m.get('Program.LastCycleTime'))).toBeGreaterThan(9);
    expect(typeof m.get('Spindle.Revolutions')).toBe('bigint');
    expect(m.get('Axis.Position')).toHaveLength(3);
  });

  test('a tool-change setup every N parts stops the spindle, then production resumes', () => {
    const m = createCnc({ seed: 3, tuning: { cycleTimeS: 5, partsPerSetup: 2, setupS: 30, mtbfS: 1e12 } });
    run(m, 11);
    expect(m.get('State')).toBe('Setup');
    expect(m.get('Spindle.Speed')).toBe(0);
    run(m, 31);
    expect(m.get('State')).toBe('Running');
  });

  test('raising an alarm stops the machine with a code and message; it clears by itself', () => {
    const m = createCnc({ seed: 3, tuning: { mtbfS: 1e12 } });
    run(m, 1);
    m.set('Alarm.Active', true);
    expect(m.get('State')).toBe('Alarm');
    expect(m.get('StateCode')).toBe(3);
    expect(Number(m.get('Alarm.Code'))).toBeGreaterThan(0);
    expect(String(m.get('Alarm.Message')).length).toBeGreaterThan(0);
    run(m, 1);
    expect(m.get('Spindle.Speed')).toBe(0);
    run(m, 400);
    expect(m.get('Alarm.Active')).toBe(false);
    expect(m.get('State')).toBe('Running');
  });

  test('the same seed gives the same run; Stopped is held until changed; unknown paths are errors', () => {
    const a = createCnc({ seed: 42 });
    const b = createCnc({ seed: 42 });
    run(a, 3600, 1000);
    run(b, 3600, 1000);
    expect(a.get('PartCount')).toBe(b.get('PartCount'));
    expect(a.get('Alarm.Code')).toBe(b.get('Alarm.Code'));
    a.set('State', 'Stopped');
    run(a, 600, 1000);
    expect(a.get('State')).toBe('Stopped');
    expect(() => a.get('Spindle.Nope')).toThrow(RangeError);
  });
});
