/**
 * A 3-axis CNC machining centre: spindle, feed, a program running part cycles, a part counter, tool-change setups
 * and random alarms. Numbers are those of a mid-size vertical machining centre (12 000 rpm spindle, 800 mm X travel).
 *
 * States (`State` text, `StateCode` number): Idle 0, Running 1, Stopped 2 (feed hold, held until changed),
 * Alarm 3, Setup 4. Writing `Alarm.Active = true` raises an alarm; writing `State` forces a state.
 */
import {
  type MachineModel,
  type ModelFactory,
  type ModelVariable,
  seededRandom,
  ValueTable,
} from './machine-model.js';

export const CNC_STATES = ['Idle', 'Running', 'Stopped', 'Alarm', 'Setup'] as const;
export type CncState = (typeof CNC_STATES)[number];

const ALARMS: readonly { code: number; message: string }[] = [
  { code: 1010, message: 'Spindle overload' },
  { code: 2031, message: 'Coolant level low' },
  { code: 3002, message: 'Tool life expired T12' },
  { code: 4100, message: 'Door interlock open' },
  { code: 5007, message: 'Axis Z following error' },
];

const VARIABLES: readonly ModelVariable[] = [
  {
    path: 'State',
    dataType: 'String',
    description: 'Machine state: Idle, Running, Stopped, Alarm, Setup',
    writable: true,
  },
  {
    path: 'StateCode',
    dataType: 'Int32',
    description: 'Machine state code: 0 Idle, 1 Running, 2 Stopped, 3 Alarm, 4 Setup',
  },
  {
    path: 'Spindle.Speed',
    dataType: 'Double',
    description: 'Actual spindle speed',
    unit: 'rpm',
    range: { low: 0, high: 12000 },
  },
  {
    path: 'Spindle.SpeedSetpoint',
    dataType: 'Double',
    description: 'Programmed spindle speed',
    unit: 'rpm',
    range: { low: 0, high: 12000 },
    writable: true,
  },
  {
    path: 'Spindle.Load',
    dataType: 'Float',
    description: 'Spindle load',
    unit: '%',
    range: { low: 0, high: 150 },
  },
  {
    path: 'Spindle.Override',
    dataType: 'Int16',
    description: 'Spindle speed override',
    unit: '%',
    range: { low: 50, high: 120 },
    writable: true,
  },
  { path: 'Spindle.Revolutions', dataType: 'UInt64', description: 'Spindle revolutions since commissioning' },
  {
    path: 'Feed.Rate',
    dataType: 'Double',
    description: 'Actual path feed rate',
    unit: 'mm/min',
    range: { low: 0, high: 30000 },
  },
  {
    path: 'Feed.Override',
    dataType: 'Byte',
    description: 'Feed override',
    unit: '%',
    range: { low: 0, high: 150 },
    writable: true,
  },
  { path: 'Program.Name', dataType: 'String', description: 'Active part program' },
  { path: 'Program.Block', dataType: 'UInt32', description: 'Current block (line) of the program' },
  {
    path: 'Program.LastCycleTime',
    dataType: 'Double',
    description: 'Duration of the last completed cycle',
    unit: 's',
  },
  { path: 'Program.LastCycleEnd', dataType: 'DateTime', description: 'When the last cycle completed' },
  {
    path: 'PartCount',
    dataType: 'UInt32',
    description: 'Parts made since commissioning (cumulative counter)',
  },
  { path: 'Alarm.Active', dataType: 'Boolean', description: 'An alarm is active', writable: true },
  { path: 'Alarm.Code', dataType: 'UInt32', description: 'Code of the active (or last) alarm' },
  { path: 'Alarm.Message', dataType: 'LocalizedText', description: 'Text of the active (or last) alarm' },
  {
    path: 'Axis.Position',
    dataType: 'Double',
    array: true,
    description: 'Actual position X, Y, Z',
    unit: 'mm',
  },
  { path: 'Axis.TravelX', dataType: 'Range', description: 'Travel limits of the X axis', unit: 'mm' },
  { path: 'PowerOnTime', dataType: 'DateTime', description: 'When the control was switched on' },
];

export interface CncTuning {
  cycleTimeS: number;
  spindleRpm: number;
  feedMmMin: number;
  /** mean running time between alarms */
  mtbfS: number;
  /** parts between tool-change setups */
  partsPerSetup: number;
  setupS: number;
}

export const DEFAULT_CNC_TUNING: CncTuning = {
  cycleTimeS: 42,
  spindleRpm: 8000,
  feedMmMin: 1200,
  mtbfS: 1800,
  partsPerSetup: 50,
  setupS: 120,
};

export const createCncModel: ModelFactory = (options) => createCnc(options);

export function createCnc(
  options: { name?: string; seed?: number; tuning?: Partial<CncTuning> } = {},
): MachineModel {
  const tuning = { ...DEFAULT_CNC_TUNING, ...options.tuning };
  const rnd = seededRandom(options.seed ?? 1);
  const now = new Date();
  const values = new ValueTable({
    State: 'Running',
    StateCode: 1,
    'Spindle.Speed': 0,
    'Spindle.SpeedSetpoint': tuning.spindleRpm,
    'Spindle.Load': 0,
    'Spindle.Override': 100,
    'Spindle.Revolutions': 0n,
    'Feed.Rate': 0,
    'Feed.Override': 100,
    'Program.Name': 'O1001 BRACKET-A',
    'Program.Block': 0,
    'Program.LastCycleTime': 0,
    'Program.LastCycleEnd': now,
    PartCount: 0,
    'Alarm.Active': false,
    'Alarm.Code': 0,
    'Alarm.Message': '',
    'Axis.Position': [0, 0, 0],
    'Axis.TravelX': { low: 0, high: 800 },
    PowerOnTime: now,
  });
  let cycleElapsedS = 0;
  let cycleTargetS = tuning.cycleTimeS;
  let stateElapsedS = 0;
  let stateDurationS = 0;
  let partsSinceSetup = 0;
  let revolutions = 0;

  const enter = (state: CncState, durationS = 0): void => {
    values.set('State', state);
    values.set('StateCode', CNC_STATES.indexOf(state));
    stateElapsedS = 0;
    stateDurationS = durationS;
  };

  const raiseAlarm = (): void => {
    const alarm = ALARMS[Math.floor(rnd() * ALARMS.length)] ?? ALARMS[0];
    values.set('Alarm.Active', true);
    values.set('Alarm.Code', alarm?.code ?? 0);
    values.set('Alarm.Message', alarm?.message ?? '');
    enter('Alarm', 60 + rnd() * 240);
  };

  const noise = (scale: number): number => (rnd() - 0.5) * 2 * scale;

  return {
    kind: 'cnc',
    name: options.name ?? 'CNC01',
    variables: VARIABLES,
    get: (path) => values.get(path),
    set(path, value) {
      values.set(path, value);
      if (
        path === 'State' &&
        typeof value === 'string' &&
        (CNC_STATES as readonly string[]).includes(value)
      ) {
        enter(value as CncState, value === 'Setup' ? tuning.setupS : value === 'Alarm' ? 120 : 10);
      }
      if (path === 'Alarm.Active' && value === true && values.get('State') !== 'Alarm') raiseAlarm();
    },
    step(dtMs, wallClock) {
      const dt = dtMs / 1000;
      stateElapsedS += dt;
      const state = values.get('State') as CncState;
      if (state === 'Running') {
        const override = values.num('Spindle.Override') / 100;
        const rpm = Math.max(0, values.num('Spindle.SpeedSetpoint') * override * (1 + noise(0.004)));
        const feed = Math.max(0, tuning.feedMmMin * (values.num('Feed.Override') / 100) * (1 + noise(0.01)));
        values.set('Spindle.Speed', round(rpm, 1));
        values.set('Feed.Rate', round(feed, 1));
        values.set('Spindle.Load', round(45 + 15 * Math.sin(cycleElapsedS / 3) + noise(3), 2));
        values.set('Program.Block', Math.floor((cycleElapsedS / cycleTargetS) * 480) + 1);
        const phase = (cycleElapsedS / cycleTargetS) * 2 * Math.PI;
        values.set('Axis.Position', [
          round(400 + 300 * Math.sin(phase), 3),
          round(250 + 200 * Math.cos(phase), 3),
          round(-50 - 40 * Math.abs(Math.sin(phase * 3)), 3),
        ]);
        revolutions += (rpm * dt) / 60;
        values.set('Spindle.Revolutions', BigInt(Math.floor(revolutions)));
        cycleElapsedS += dt;
        if (cycleElapsedS >= cycleTargetS) {
          values.set('PartCount', values.num('PartCount') + 1);
          values.set('Program.LastCycleTime', round(cycleElapsedS, 2));
          values.set('Program.LastCycleEnd', wallClock);
          cycleElapsedS = 0;
          cycleTargetS = tuning.cycleTimeS * (1 + noise(0.05));
          partsSinceSetup += 1;
          if (partsSinceSetup >= tuning.partsPerSetup) {
            partsSinceSetup = 0;
            enter('Setup', tuning.setupS);
          }
        }
        if (rnd() < dt / tuning.mtbfS) raiseAlarm();
        return;
      }
      values.set('Spindle.Speed', 0);
      values.set('Feed.Rate', 0);
      values.set('Spindle.Load', 0);
      if (state === 'Stopped') return;
      if (stateElapsedS < stateDurationS) return;
      if (state === 'Alarm') {
        values.set('Alarm.Active', false);
        enter('Idle', 10);
      } else {
        enter('Running');
      }
    },
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
