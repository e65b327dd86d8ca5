/**
 * The walking-slice press: a PLC exposing a state code, a part counter and the drive's power.
 *  - state_code  uint16  holding 100        1 running · 2 idle · 3 down   (cycle: 40 s run, 10 s idle, 10 s down)
 *  - part_count  uint32  holding 102 CDAB   +1 every 2 s while running
 *  - power_kw    float32 input 0            the register holds watts; read it with scale 0.001 → kW
 */
import type { SimProfile } from '../profile.js';

export const PRESS_STATES = { running: 1, idle: 2, down: 3 } as const;

const CYCLE_MS = 60_000;

function stateAt(t: number): number {
  const phase = t % CYCLE_MS;
  if (phase < 40_000) return PRESS_STATES.running;
  if (phase < 50_000) return PRESS_STATES.idle;
  return PRESS_STATES.down;
}

/** Drive power by state; a slow sine while running so deadbands and energy integration have work to do. */
function powerAt(t: number, state: number): number {
  if (state === PRESS_STATES.running) return Math.round((45 + 3 * Math.sin(t / 7000)) * 1000) / 1000;
  if (state === PRESS_STATES.idle) return 8.2;
  return 0.4;
}

export function pressProfile(opts: { unitId?: number } = {}): SimProfile {
  return {
    name: 'press',
    unitId: opts.unitId ?? 1,
    tickMs: 1000,
    points: [
      {
        name: 'state_code',
        table: 'holding',
        address: 100,
        type: 'uint16',
        initial: PRESS_STATES.running,
        behaviour: ({ t }) => stateAt(t),
      },
      {
        name: 'part_count',
        table: 'holding',
        address: 102,
        type: 'uint32',
        order: 'CDAB',
        initial: 0,
        behaviour: ({ t, value, get }) =>
          get('state_code') === PRESS_STATES.running && Math.floor(t / 1000) % 2 === 0
            ? Number(value) + 1
            : value,
      },
      {
        name: 'power_kw',
        table: 'input',
        address: 0,
        type: 'float32',
        scale: 0.001,
        unit: 'kW',
        initial: powerAt(0, PRESS_STATES.running),
        behaviour: ({ t, get }) => powerAt(t, Number(get('state_code'))),
      },
    ],
  };
}
