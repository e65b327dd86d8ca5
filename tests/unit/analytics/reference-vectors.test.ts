import { describe, expect, it } from 'vitest';
import { createAnalytics } from '../../../cloud/analytics/index.js';
import { analyticsConfig } from '../../helpers/configs.js';
import { fluxScenario, oeeComScenario, STEP } from './scenarios.js';
import { drive, everyStep, silentLog } from './support.js';

async function runLive(s: ReturnType<typeof oeeComScenario>) {
  const clock = { now: s.from };
  const engine = createAnalytics(analyticsConfig(s.cfg), {
    log: silentLog,
    query: async () => [],
    clock: () => clock.now,
  });
  await engine.rebuild(s.from);
  return drive(engine, clock, everyStep(s.from, s.to, STEP, s.make), { tickMs: 60_000, until: s.to });
}

describe('reference OEE vectors through the engine', () => {
  it('oee.com worked example: A 0.8881, P 0.8611, Q 0.9780, OEE 0.7479', async () => {
    const s = oeeComScenario();
    const { store } = await runLive(s);
    const p = store.one('oee', { device: 'press-07', period: 'shift', level: 'machine' }, s.shiftStart);
    expect(p.tags['shift']).toBe('A');
    expect(p.fields['planned_s']).toBe(25_200);
    expect(p.fields['run_s']).toBe(22_380);
    expect(p.fields['down_s']).toBe(2_820);
    expect(p.fields['total_count']).toBe(19_271);
    expect(p.fields['good_count']).toBe(18_848);
    expect(p.fields['availability']).toBeCloseTo(0.8881, 4);
    expect(p.fields['performance']).toBeCloseTo(0.8611, 4);
    expect(p.fields['quality']).toBeCloseTo(0.978, 4);
    expect(p.fields['oee']).toBeCloseTo(0.7479, 4);
    // The line roll-up of one machine is that machine.
    const line = store.one('oee', { device: 'line3', period: 'shift', level: 'line' }, s.shiftStart);
    expect(line.fields['oee']).toBeCloseTo(0.7479, 4);
  });

  it('Flux experimental/oee example: A 0.95625, P 0.98976, Q 0.98998', async () => {
    const s = fluxScenario();
    const { store } = await runLive(s as unknown as ReturnType<typeof oeeComScenario>);
    const p = store.one('oee', { device: 'cnc-01', period: 'shift', level: 'machine' }, s.shiftStart);
    expect(p.fields['run_s']).toBe(27_540);
    expect(p.fields['availability']).toBeCloseTo(0.95625, 5);
    expect(p.fields['performance']).toBeCloseTo(0.98976, 5);
    expect(p.fields['quality']).toBeCloseTo(0.98998, 5);
    expect(p.fields['oee']).toBeCloseTo(0.95625 * 0.98976 * 0.98998, 4);
  });
});
