/**
 * The vocabulary of a Modbus point, shared by the agent (config/schemas/modbus.ts has the same shape) and the
 * simulators. Pure: no imports of ours, no I/O.
 */
export type ModbusTable = 'coil' | 'discrete' | 'holding' | 'input';
export type ModbusValueType =
  | 'bool'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string';
/** ABCD big endian, CDAB word swap, BADC byte swap, DCBA little endian, and their 64-bit spellings. */
export type ModbusByteOrder =
  | 'ABCD'
  | 'CDAB'
  | 'BADC'
  | 'DCBA'
  | 'ABCDEFGH'
  | 'GHEFCDAB'
  | 'BADCFEHG'
  | 'HGFEDCBA';

export interface ModbusPointSpec {
  name: string;
  table: ModbusTable;
  /** 0-based protocol address (what goes on the wire) */
  address: number;
  type?: ModbusValueType;
  order?: ModbusByteOrder;
  /** bit 0–15 of a holding/input register, for type bool */
  bit?: number;
  /** string length in registers */
  length?: number;
  scale?: number;
  offset?: number;
  unit?: string;
}

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

/** The type a point has when `type` is omitted: bool for coils/discretes, uint16 for registers. */
export function effectiveType(p: ModbusPointSpec): ModbusValueType {
  return p.type ?? (isBitTable(p.table) ? 'bool' : 'uint16');
}

const WORDS: Record<Exclude<ModbusValueType, 'string'>, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

/** How many registers (or bits, for coil/discrete tables) a point occupies. */
export function pointWidth(p: ModbusPointSpec): number {
  if (isBitTable(p.table)) return 1;
  const t = effectiveType(p);
  if (t === 'string') return p.length ?? 1;
  return WORDS[t];
}

/** True when the point's raw value is transformed by scale/offset (so it is reported as a float). */
export function isScaled(p: ModbusPointSpec): boolean {
  return (p.scale !== undefined && p.scale !== 1) || (p.offset !== undefined && p.offset !== 0);
}

export interface PointProblem {
  point: string;
  message: string;
}

/** Semantic checks the JSON schema cannot express. Returns every problem (empty when the point is fine). */
export function checkPoint(p: ModbusPointSpec, maxRegistersPerRequest = 125): PointProblem[] {
  const out: PointProblem[] = [];
  const problem = (message: string) => out.push({ point: p.name, message });
  const t = effectiveType(p);
  if (isBitTable(p.table)) {
    if (t !== 'bool') problem(`table ${p.table} holds bits: type must be bool, not ${t}`);
    if (p.bit !== undefined) problem(`bit is only for holding/input registers, not ${p.table}`);
  } else {
    if (t === 'bool' && p.bit === undefined) problem(`type bool on a ${p.table} register needs bit (0–15)`);
    if (p.bit !== undefined && t !== 'bool') problem(`bit is only valid with type bool, not ${t}`);
  }
  if (t === 'string' && p.length === undefined) problem('type string needs length (in registers)');
  if (p.length !== undefined && t !== 'string') problem(`length is only valid with type string, not ${t}`);
  if ((t === 'string' || t === 'bool') && (p.scale !== undefined || p.offset !== undefined)) {
    problem(`scale/offset do not apply to type ${t}`);
  }
  if (p.scale === 0) problem('scale 0 would erase every reading');
  if (p.order !== undefined && (t === 'bool' || t === 'string') && !['ABCD', 'BADC'].includes(p.order)) {
    problem(`order ${p.order} does not apply to type ${t} (use ABCD or BADC)`);
  }
  const width = pointWidth(p);
  if (!isBitTable(p.table) && width > maxRegistersPerRequest) {
    problem(`needs ${width} registers but maxRegistersPerRequest is ${maxRegistersPerRequest}`);
  }
  if (p.address + width > 65536) problem(`address ${p.address} + ${width} runs past 65535`);
  return out;
}
