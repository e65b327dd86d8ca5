/**
 * How each scenario device shows its values on the wire: the Modbus register maps of the press, the compressor, the
 * main meter and the boiler's three units, and the OPC UA variables of the CNCs and the injection moulding machine.
 * One table per device kind gives the simulator's registers/nodes, the agent's points/subscriptions and the metric
 * kinds the backfill announces in its births, so the three can never disagree.
 */
import type { McPointSpec } from '../../protocols/mc/point.js';
import type { ModbusPointSpec } from '../../protocols/modbus/point.js';
import type { ModelVariable, SimDataType } from '../opcua/models/machine-model.js';

export type ModbusMap = readonly (ModbusPointSpec & { name: string })[];

/** Press PLC (unit 1): holding registers as a typical S7/Mitsubishi Modbus map exposes them. */
export const PRESS_MAP: ModbusMap = [
  { name: 'state_code', table: 'holding', address: 100, type: 'uint16' },
  { name: 'part_count', table: 'holding', address: 102, type: 'uint32', order: 'CDAB' },
  { name: 'scrap_count', table: 'holding', address: 104, type: 'uint32', order: 'CDAB' },
  { name: 'stroke_rate', table: 'holding', address: 106, type: 'uint16', unit: 'spm' },
  { name: 'power_kw', table: 'input', address: 0, type: 'float32', unit: 'kW' },
  { name: 'energy_kwh', table: 'input', address: 2, type: 'uint32', scale: 0.1, unit: 'kWh' },
];

/** The same press behind a Mitsubishi FX5U (MC protocol): the same metrics in D registers, 32-bit values low word first. */
export const PRESS_MC_MAP: readonly McPointSpec[] = [
  { name: 'state_code', device: 'D100', type: 'uint16' },
  { name: 'part_count', device: 'D102', type: 'uint32' },
  { name: 'scrap_count', device: 'D104', type: 'uint32' },
  { name: 'stroke_rate', device: 'D106', type: 'uint16', unit: 'spm' },
  { name: 'power_kw', device: 'D110', type: 'float32', unit: 'kW' },
  { name: 'energy_kwh', device: 'D112', type: 'uint32', scale: 0.1, unit: 'kWh' },
];

/** Screw compressor controller (unit 1). */
export const COMPRESSOR_MAP: ModbusMap = [
  { name: 'state_code', table: 'holding', address: 0, type: 'uint16' },
  { name: 'pressure_bar', table: 'input', address: 0, type: 'uint16', scale: 0.01, unit: 'bar' },
  { name: 'flow_m3min', table: 'input', address: 1, type: 'uint16', scale: 0.01, unit: 'm3/min' },
  { name: 'power_kw', table: 'input', address: 2, type: 'float32', unit: 'kW' },
  { name: 'energy_kwh', table: 'input', address: 4, type: 'uint32', scale: 0.1, unit: 'kWh' },
];

/**
 * Main incomer multifunction meter (unit 1): float registers, imported energy as a 0.1 kWh counter. Its power is
 * `import_kw`, not `power_kw`: it already contains every machine's load, and the dashboard sums `power_kw`.
 */
export const METER_MAP: ModbusMap = [
  { name: 'voltage_v', table: 'input', address: 0, type: 'float32', unit: 'V' },
  { name: 'current_a', table: 'input', address: 2, type: 'float32', unit: 'A' },
  { name: 'import_kw', table: 'input', address: 4, type: 'float32', unit: 'kW' },
  { name: 'power_factor', table: 'input', address: 6, type: 'float32' },
  { name: 'import_kwh', table: 'input', address: 8, type: 'uint32', scale: 0.1, unit: 'kWh' },
];

/** Boiler controller (unit 1 behind the boiler house gateway). */
export const BOILER_MAP: ModbusMap = [
  { name: 'state_code', table: 'holding', address: 0, type: 'uint16' },
  { name: 'firing_pct', table: 'input', address: 0, type: 'uint16', scale: 0.1, unit: '%' },
  { name: 'steam_bar', table: 'input', address: 1, type: 'uint16', scale: 0.01, unit: 'bar' },
  { name: 'flue_temp_c', table: 'input', address: 2, type: 'int16', scale: 0.1, unit: '°C' },
];

/** Gas meter (unit 2): flow and the cumulative volume in 0.01 Nm³. */
export const GAS_METER_MAP: ModbusMap = [
  { name: 'gas_flow_m3h', table: 'input', address: 0, type: 'float32', unit: 'm3/h' },
  { name: 'gas_total_m3', table: 'input', address: 2, type: 'uint32', scale: 0.01, unit: 'm3' },
];

/** Stack analyser / CEMS (unit 3): dry, at reference O2. */
export const STACK_MAP: ModbusMap = [
  { name: 'nox_mg_m3', table: 'input', address: 0, type: 'float32', unit: 'mg/m3' },
  { name: 'so2_mg_m3', table: 'input', address: 2, type: 'float32', unit: 'mg/m3' },
  { name: 'pm_mg_m3', table: 'input', address: 4, type: 'float32', unit: 'mg/m3' },
  { name: 'o2_pct', table: 'input', address: 6, type: 'float32', unit: '%' },
];

/** An OPC UA variable and the metric the agent names it. */
export interface OpcuaPoint extends ModelVariable {
  metric: string;
}

const v = (
  metric: string,
  path: string,
  dataType: SimDataType,
  description: string,
  unit?: string,
): OpcuaPoint => ({ metric, path, dataType, description, ...(unit === undefined ? {} : { unit }) });

/** Vertical machining centre (node ids `ns=2;s=<NAME>.<path>`). */
export const CNC_VARIABLES: readonly OpcuaPoint[] = [
  v(
    'state_code',
    'StateCode',
    'Int32',
    'Machine state: 0 off/planned stop, 1 running, 2 idle, 3 alarm, 4 setup',
  ),
  v('part_count', 'PartCount', 'UInt32', 'Parts made (cumulative)'),
  v('scrap_count', 'ScrapCount', 'UInt32', 'Parts rejected by in-process gauging (cumulative)'),
  v('spindle_rpm', 'Spindle.Speed', 'Double', 'Actual spindle speed', 'rpm'),
  v('spindle_load_pct', 'Spindle.Load', 'Double', 'Spindle load', '%'),
  v('program', 'Program.Name', 'String', 'Active part program'),
  v('alarm_active', 'Alarm.Active', 'Boolean', 'An alarm is active'),
  v('power_kw', 'Power.Active', 'Double', 'Active power of the machine', 'kW'),
  v('energy_kwh', 'Power.Energy', 'Double', 'Energy since commissioning', 'kWh'),
];

/** Injection moulding machine with a PackML-style state model (OPC 40077 / EUROMAP 77 in spirit). */
export const INJECTION_VARIABLES: readonly OpcuaPoint[] = [
  v(
    'packml_state',
    'PackML.StateCurrent',
    'Int32',
    'PackML state: 2 Stopped, 5 Suspended, 6 Execute, 9 Aborted, 15 Resetting',
  ),
  v('part_count', 'PackML.ProdProcessedCount', 'UInt32', 'Parts moulded (cumulative, all cavities)'),
  v('scrap_count', 'PackML.ProdDefectiveCount', 'UInt32', 'Rejected parts (cumulative)'),
  v('cycle_time_s', 'Cycle.LastTime', 'Double', 'Last shot cycle time', 's'),
  v('melt_temp_c', 'Barrel.MeltTemperature', 'Double', 'Melt temperature', '°C'),
  v('injection_pressure_bar', 'Injection.PeakPressure', 'Double', 'Peak injection pressure', 'bar'),
  v('power_kw', 'Power.Active', 'Double', 'Active power of the machine', 'kW'),
  v('energy_kwh', 'Power.Energy', 'Double', 'Energy since commissioning', 'kWh'),
];

/** OPC UA machine name of a device id: `cnc-01` → `CNC01`. */
export function opcuaName(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}
