/**
 * The metrics each scenario device publishes, with the kinds the live agent announces for them (Modbus: from the
 * point's type and scale; OPC UA: from the variable's data type; the lathe: the derive section's outputs). The
 * backfill births use these, so history and live data land in the same InfluxDB field types.
 */
import type { MetricInfo, MetricKind } from '../../protocols/metric.js';
import { metricKindOf } from '../../protocols/modbus/register-codec.js';
import {
  BOILER_MAP,
  CNC_VARIABLES,
  COMPRESSOR_MAP,
  GAS_METER_MAP,
  INJECTION_VARIABLES,
  METER_MAP,
  type ModbusMap,
  type OpcuaPoint,
  PRESS_MAP,
  STACK_MAP,
} from './device-maps.js';
import type { DeviceSignals } from './plant-model.js';

const OPCUA_KIND: Record<string, MetricKind> = {
  Boolean: 'boolean',
  Int32: 'int32',
  UInt32: 'uint32',
  Double: 'double',
  Float: 'float',
  String: 'string',
};

const fromModbus = (map: ModbusMap): MetricInfo[] =>
  map.map((p) => ({
    name: p.name,
    kind: metricKindOf(p),
    ...(p.unit === undefined ? {} : { unit: p.unit }),
  }));

const fromOpcua = (vars: readonly OpcuaPoint[]): MetricInfo[] =>
  vars.map((v) => ({
    name: v.metric,
    kind: OPCUA_KIND[v.dataType] ?? 'double',
    ...(v.unit === undefined ? {} : { unit: v.unit }),
  }));

/** What the agent's retrofit derive section publishes for the lathe (agent/derive). */
export const LATHE_METRICS: MetricInfo[] = [
  { name: 'current_a', kind: 'double', unit: 'A', derived: true },
  { name: 'state', kind: 'string', derived: true },
  { name: 'part_count', kind: 'int64', unit: 'parts', derived: true },
  { name: 'power_kw', kind: 'double', unit: 'kW', derived: true },
  { name: 'energy_kwh', kind: 'double', unit: 'kWh', derived: true },
];

const BY_KIND: Record<string, MetricInfo[]> = {
  press: fromModbus(PRESS_MAP),
  cnc: fromOpcua(CNC_VARIABLES),
  injection: fromOpcua(INJECTION_VARIABLES),
  lathe: LATHE_METRICS,
  compressor: fromModbus(COMPRESSOR_MAP),
  'power-meter': fromModbus(METER_MAP),
  boiler: fromModbus(BOILER_MAP),
  'gas-meter': fromModbus(GAS_METER_MAP),
  'stack-analyser': fromModbus(STACK_MAP),
  // what the agent's DL/T 645 source publishes for the bus meters (forward active energy, active power)
  'dlt645-meter': [
    { name: 'energy_kwh', kind: 'double', unit: 'kWh' },
    { name: 'power_kw', kind: 'double', unit: 'kW' },
  ],
};

export function metricsOf(device: DeviceSignals): MetricInfo[] {
  const m = BY_KIND[device.kind];
  if (m === undefined) throw new RangeError(`no metric catalog for device kind ${device.kind}`);
  return m;
}
