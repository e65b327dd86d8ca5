import { describe, expect, it } from 'vitest';
import { agentPoints } from '../../../simulators/modbus/profile.js';
import { PRESS_STATES, pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { type SimChange, SimDevice } from '../../../simulators/modbus/sim-device.js';

describe('simulated press', () => {
  it('holds raw watts in the register and declares the kW the agent must decode', () => {
    let now = 1000;
    const d = new SimDevice(pressProfile(), () => now);
    d.set('power_kw', 12.5);
    const view = new DataView(new ArrayBuffer(4));
    view.setUint16(0, d.bank.input[0] ?? 0);
    view.setUint16(2, d.bank.input[1] ?? 0);
    expect(view.getFloat32(0)).toBe(12_500);
    expect(d.expected('power_kw')).toBeCloseTo(12.5, 9);
    now = 2000;
    d.set('part_count', 65_537);
    // CDAB: low word first
    expect([d.bank.holding[102], d.bank.holding[103]]).toEqual([1, 1]);
    expect(d.changedAt('part_count')).toBe(2000);
    expect(d.changedAt('power_kw')).toBe(1000);
  });

  it('cycles running → idle → down, counts parts only while running, and stamps each change', () => {
    let now = 0;
    const d = new SimDevice(pressProfile(), () => now);
    const states: number[] = [];
    for (let t = 0; t <= 60_000; t += 1000) {
      now = t;
      d.tick(t);
      states.push(Number(d.get('state_code')));
    }
    expect(states[0]).toBe(PRESS_STATES.running);
    expect(states[45]).toBe(PRESS_STATES.idle);
    expect(states[55]).toBe(PRESS_STATES.down);
    expect(states[60]).toBe(PRESS_STATES.running);
    expect(d.get('part_count')).toBe(21); // even seconds 0…38 while running, and 60
    expect(d.changedAt('state_code')).toBe(60_000);
    expect(d.get('power_kw')).toBeGreaterThan(40);
  });

  it('reports each change once, with the value the agent must decode and its time', () => {
    const changes: SimChange[] = [];
    let now = 5;
    const d = new SimDevice(
      pressProfile({ unitId: 3 }),
      () => now,
      (c) => changes.push(c),
    );
    expect(changes.map((c) => c.name)).toEqual(['state_code', 'part_count', 'power_kw']);
    changes.length = 0;
    now = 7;
    d.set('power_kw', 1.1);
    d.set('power_kw', 1.1); // unchanged: not reported
    expect(changes).toEqual([
      { unitId: 3, name: 'power_kw', value: 1.1, expected: d.expected('power_kw'), at: 7 },
    ]);
  });

  it('agentPoints gives the config lines for the agent', () => {
    expect(agentPoints(pressProfile())).toEqual([
      { name: 'state_code', table: 'holding', address: 100, type: 'uint16' },
      { name: 'part_count', table: 'holding', address: 102, type: 'uint32', order: 'CDAB' },
      { name: 'power_kw', table: 'input', address: 0, type: 'float32', scale: 0.001, unit: 'kW' },
    ]);
  });
});
