import { type StaticDecode, Type } from '@sinclair/typebox';
import { optional, required, Section } from '../spec.js';
import { Id, OneOf } from './common.js';

/**
 * `analytics.energyTree`: the plant's metering tree (nodes) and, optionally, the plant's own required equipping
 * rates of energy meters per carrier and GB 17167 level (cloud/analytics/required-rates.ts holds the defaults).
 */

export const EnergyTreeLevel = OneOf(['plant', 'workshop', 'line', 'equipment']);

export const EnergyTreeNode = Section({
  id: required(Id, { description: 'node id (the `node` tag of energy_node points)', example: 'stamping' }),
  name: optional(Type.String({ minLength: 1 }), {
    description: 'shown on the dashboard',
    defaultText: 'the id',
  }),
  parent: optional(Id, { description: 'id of the parent node; none: a root (the plant)' }),
  level: required(EnergyTreeLevel, {
    description:
      'plant (GB 17167: the organisation), workshop and line (its sub-units), equipment (main energy-using equipment)',
    example: 'workshop',
  }),
  meters: optional(Type.Array(Type.String({ minLength: 1 })), {
    description: 'meters measuring this node: `device` or `device/name` of analytics.meters',
    default: [],
  }),
  machines: optional(Type.Array(Id), {
    description: "machines (analytics.machines) whose good parts are this node's output",
    default: [],
  }),
});
export type EnergyTreeNode = StaticDecode<typeof EnergyTreeNode>;

const Percent = Type.Number({ minimum: 0, maximum: 100 });

/** One carrier's required rates at the three GB 17167 levels; a level left out keeps the default. */
const LevelRates = Section({
  organisation: optional(Percent, { description: 'the organisation (用能单位): the plant node', unit: '%' }),
  sub_unit: optional(Percent, {
    description: 'sub-units (次级用能单位): workshop and line nodes',
    unit: '%',
  }),
  equipment: optional(Percent, { description: 'main energy-using equipment (主要用能设备)', unit: '%' }),
});
export type LevelRates = StaticDecode<typeof LevelRates>;

const carrierRates = (what: string) =>
  optional(LevelRates, { description: `${what}: required rate per level` });

export const RequiredRates = Section({
  electricity: carrierRates('electricity (default 100 / 100 / 95)'),
  natural_gas: carrierRates('natural gas (default 100 / 100 / 90)'),
  diesel: carrierRates('diesel, refined oil (default 100 / 100 / 95)'),
  steam: carrierRates('steam (default 100 / 80 / 70)'),
  water: carrierRates('water (default 100 / 95 / 80)'),
  compressed_air: carrierRates('compressed air (no default: not in the table)'),
});
export type RequiredRates = StaticDecode<typeof RequiredRates>;

export const EnergyTree = Section({
  nodes: optional(Type.Array(EnergyTreeNode), {
    description: 'the nodes, a flat list: each names its parent (plant → workshop → line → equipment)',
    default: [],
  }),
  requiredRates: optional(RequiredRates, {
    description:
      "the plant's required equipping rates of meters (%), overriding the defaults (GB 17167-2006 Table 1 as transcribed secondarily; check your edition)",
    default: {},
  }),
});
export type EnergyTree = StaticDecode<typeof EnergyTree>;
