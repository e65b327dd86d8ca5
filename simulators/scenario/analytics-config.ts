/**
 * The cloud `analytics` section that matches a scenario: the same shift calendar, every production machine with its
 * state source, counters and ideal cycle, a meter per sub-metered load (machines, lathe, compressor) and the boiler's
 * gas meter, the example tariff, the Chongqing grid factor, and stack limit alarms. The main incomer is not an
 * analytics meter: its energy includes the sub-meters, and summing both would count them twice (docs/demo.md).
 */
import type { AnalyticsConfigInput, MachineStateName } from '../../config/schemas/analytics.js';
import { STATE_CODES } from './plant-model.js';
import type { Scenario } from './scenario-schema.js';

const TARIFF = 'scenario-tou';

type MachineInput = NonNullable<AnalyticsConfigInput['machines']>[number];
type MeterInput = NonNullable<AnalyticsConfigInput['meters']>[number];

function codeMap(codes: Record<string, number>): Record<string, MachineStateName> {
  const out: Record<string, MachineStateName> = {};
  for (const [state, code] of Object.entries(codes)) out[String(code)] = state as MachineStateName;
  return out;
}

/** The section as it is written in the cloud config (durations as text). */
export function scenarioAnalytics(s: Scenario, opts: { speed?: number } = {}): AnalyticsConfigInput {
  const speed = opts.speed ?? 1;
  const machines: MachineInput[] = [];
  const meters: MeterInput[] = [];
  const alarms: NonNullable<AnalyticsConfigInput['alarms']> = [];
  const line = (l: string | undefined) => (l === undefined ? {} : { line: l });
  const tariff = s.tariff === undefined ? {} : { tariff: TARIFF };
  for (const d of s.devices) {
    switch (d.kind) {
      case 'press':
      case 'cnc':
      case 'injection': {
        const perCycle = d.kind === 'injection' ? (d.cavities ?? 1) : 1;
        const idealMs = d.behaviour.cycle / speed / perCycle;
        machines.push({
          device: d.id,
          ...line(d.line),
          state:
            d.kind === 'injection'
              ? { metric: 'packml_state', kind: 'packml', map: { '2': 'planned_stop', '15': 'setup' } }
              : { metric: 'state_code', kind: 'code', map: codeMap(STATE_CODES) },
          total: { metric: 'part_count', bits: 32 },
          scrap: { metric: 'scrap_count', bits: 32 },
          idealCycle: `${Math.round(idealMs * 1000) / 1000}ms`,
        });
        meters.push({ device: d.id, carrier: 'electricity', counter: { metric: 'energy_kwh' }, ...tariff });
        break;
      }
      case 'lathe':
        machines.push({
          device: d.id,
          ...line(d.line),
          state: { metric: 'state', kind: 'derived' },
          total: { metric: 'part_count' },
          idealCycle: `${Math.round((d.idealCycle / (speed >= 5 ? speed / 10 : speed)) * 1000) / 1000}ms`,
        });
        meters.push({ device: d.id, carrier: 'electricity', counter: { metric: 'energy_kwh' }, ...tariff });
        break;
      case 'compressor':
        meters.push({ device: d.id, carrier: 'electricity', counter: { metric: 'energy_kwh' }, ...tariff });
        break;
      case 'boiler':
        meters.push({
          device: `${d.id}-gas`,
          carrier: 'natural_gas',
          counter: { metric: 'gas_total_m3' },
          unit: 'm3',
        });
        alarms.push(
          {
            device: `${d.id}-stack`,
            metric: 'nox_mg_m3',
            severity: 'critical',
            high: d.limits.noxMgM3,
            hysteresis: d.limits.noxMgM3 * 0.05,
            message: 'NOx over the emission limit',
          },
          {
            device: `${d.id}-stack`,
            metric: 'so2_mg_m3',
            severity: 'critical',
            high: d.limits.so2MgM3,
            message: 'SO2 over the emission limit',
          },
          {
            device: `${d.id}-stack`,
            metric: 'pm_mg_m3',
            severity: 'critical',
            high: d.limits.pmMgM3,
            message: 'Particulates over the emission limit',
          },
        );
        break;
      case 'power-meter':
        break;
      case 'dlt645-bus':
        // incomer and workshop meters count what the machine meters count again: the energy tree uses them, the
        // energy and emissions totals do not
        for (const m of d.meters) {
          meters.push({
            device: m.id,
            carrier: 'electricity',
            counter: { metric: 'energy_kwh' },
            treeOnly: true,
          });
        }
        break;
    }
  }
  // HJ 212 outlets: limits on the O2-corrected concentrations of a gas boiler stack (GB 13271-2014 special limits)
  for (const o of (s.dataloggers ?? []).flatMap((d) => d.outlets)) {
    if (o.profile !== 'boiler-stack') continue;
    alarms.push(
      {
        device: o.id,
        metric: 'a21002_zsrtd',
        severity: 'critical',
        high: 150,
        message: 'NOx (HJ 212) over the emission limit',
      },
      {
        device: o.id,
        metric: 'a21026_zsrtd',
        severity: 'critical',
        high: 50,
        message: 'SO2 (HJ 212) over the emission limit',
      },
      {
        device: o.id,
        metric: 'a34013_zsrtd',
        severity: 'critical',
        high: 20,
        message: 'Particulates (HJ 212) over the emission limit',
      },
    );
  }
  return {
    timezone: s.timezone ?? 'Asia/Shanghai',
    calendar: s.calendar,
    machines,
    meters,
    ...(s.tariff === undefined
      ? {}
      : {
          tariffs: [
            {
              name: TARIFF,
              ...(s.tariff.currency === undefined ? {} : { currency: s.tariff.currency }),
              defaultPrice: s.tariff.defaultPrice,
              ...(s.tariff.periods === undefined ? {} : { periods: s.tariff.periods }),
            },
          ],
        }),
    emissions: { factors: { electricity: 'cn-chongqing-2022' } },
    alarms,
    ...(s.energyTree === undefined ? {} : { energyTree: { nodes: s.energyTree } }),
    ...(s.standardCoal === undefined ? {} : { standardCoal: s.standardCoal }),
  };
}
