/**
 * The retrofit IO module as a Modbus simulator profile (simulators/modbus): run it with
 * `startModbusSimulator({ transport: 'rtu', serial: { path }, profile: retrofitProfile(io) })` on one end of a
 * socat pty pair, or over TCP. Register map: io-module.ts. Behaviour time is the simulator's simulated time,
 * which is the machine model's time.
 */
import type { SimProfile } from '../modbus/profile.js';
import { RetrofitIoModule } from './io-module.js';
import { FAST_LATHE, LATHE, MachineModel } from './machine-model.js';

export interface RetrofitProfileOptions {
  unitId?: number;
  /** simulated ms between register updates; default 100 (the photo-eye pulse is ≥ 100 ms wide) */
  tickMs?: number;
}

export function retrofitProfile(io: RetrofitIoModule, opts: RetrofitProfileOptions = {}): SimProfile {
  return {
    name: 'retrofit-io',
    unitId: opts.unitId ?? 5,
    tickMs: opts.tickMs ?? 100,
    points: [
      // holding 0 first: a master's write of 1 clears the counter before the counter is refreshed
      {
        name: 'counter_reset',
        table: 'holding',
        address: 0,
        type: 'uint16',
        initial: 0,
        behaviour: ({ t, value }) => {
          if (value !== 0) io.resetCounter(t);
          return 0;
        },
      },
      {
        name: 'clamp_ma',
        table: 'input',
        address: 0,
        type: 'uint16',
        scale: 0.001,
        unit: 'mA',
        initial: io.ai0MicroAmps(0) / 1000,
        behaviour: ({ t }) => io.ai0MicroAmps(t) / 1000,
      },
      {
        name: 'cabinet_v',
        table: 'input',
        address: 1,
        type: 'uint16',
        scale: 0.001,
        unit: 'V',
        initial: io.ai1MilliVolts(0) / 1000,
        behaviour: ({ t }) => io.ai1MilliVolts(t) / 1000,
      },
      {
        name: 'pulses',
        table: 'input',
        address: 2,
        type: 'uint32',
        order: 'ABCD',
        initial: io.counter(0),
        behaviour: ({ t }) => io.counter(t),
      },
      {
        name: 'ai_status',
        table: 'input',
        address: 4,
        type: 'uint16',
        initial: io.status(0),
        behaviour: ({ t }) => io.status(t),
      },
      {
        name: 'photo_eye',
        table: 'discrete',
        address: 0,
        initial: false,
        behaviour: ({ t }) => io.discreteInput(0, t),
      },
      { name: 'di1', table: 'discrete', address: 1, initial: false },
      { name: 'di2', table: 'discrete', address: 2, initial: false },
      { name: 'di3', table: 'discrete', address: 3, initial: false },
    ],
  };
}

/**
 * A retrofitted lathe, ready for a profile registry or a scenario: `{ unitId, seed, fast }`. `fast` runs the
 * machine ten times faster (cycles of seconds), for demos and end-to-end runs in real time.
 */
export function latheRetrofitProfile(
  opts: { unitId?: number; seed?: number; fast?: boolean } = {},
): SimProfile {
  const model = new MachineModel(opts.fast ? FAST_LATHE : LATHE, opts.seed ?? 1);
  const profile: RetrofitProfileOptions = opts.unitId === undefined ? {} : { unitId: opts.unitId };
  return retrofitProfile(new RetrofitIoModule(model), profile);
}
