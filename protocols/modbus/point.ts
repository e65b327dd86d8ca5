/**
 * The vocabulary of a Modbus point and its rules, shared by the agent (agent/sources/modbus/spec.ts builds its
 * schema from these lists) and the simulators. Pure: no I/O; scale/offset is protocols/point-scale.ts.
 */
export type ModbusTable = 'coil' | 'discrete' | 'holding' | 'input';
export const VALUE_TYPES = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
] as const;
export type ModbusValueType = (typeof VALUE_TYPES)[number];
/**
 * Where each byte of the big-endian value sits on the wire: ABCD big endian, CDAB word swap, BADC byte swap, DCBA
 * both. The four-letter names mean the same swaps for every width (as in Telegraf's modbus plugin); 64-bit values
 * may also use the eight-letter spellings.
 */
export const BYTE_ORDERS = [
  'ABCD',
  'CDAB',
  'BADC',
  'DCBA',
  'ABCDEFGH',
  'GHEFCDAB',
  'BADCFEHG',
  'HGFEDCBA',
] as const;
export type ModbusByteOrder = (typeof BYTE_ORDERS)[number];

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
  /** report by exception: publish only when the value moved by more than this (the agent's, not the codec's) */
  deadband?: number;
}

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

/** The type a point has when `type` is omitted: bool for coils, discrete inputs and `bit` points, uint16 else. */
export function effectiveType(p: ModbusPointSpec): ModbusValueType {
  return p.type ?? (isBitTable(p.table) || p.bit !== undefined ? 'bool' : 'uint16');
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

/** How many 16-bit words a value of this type takes (a string: `length` words); also a MELSEC word device's. */
export function wordsOf(type: ModbusValueType, length: number | undefined): number {
  return type === 'string' ? (length ?? 1) : WORDS[type];
}

/** How many registers (or bits, for coil/discrete tables) a point occupies. */
export function pointWidth(p: ModbusPointSpec): number {
  if (isBitTable(p.table)) return 1;
  return wordsOf(effectiveType(p), p.length);
}

/** True when the point's raw value is transformed by scale/offset (the rule every polling protocol shares). */
export { isScaled } from '../point-scale.js';

export interface PointProblem {
  point: string;
  /** the key of the point the problem is about */
  field: keyof ModbusPointSpec;
  message: string;
}

const SINGLE_REGISTER_ORDERS: readonly string[] = ['ABCD', 'BADC'];

/**
 * Every problem of one point that a schema cannot express (empty when the point can be read). The agent's config
 * check reports these with their key paths; the planner refuses such points.
 */
export function checkPoint(p: ModbusPointSpec, maxRegistersPerRequest = 125): PointProblem[] {
  const out: PointProblem[] = [];
  const problem = (field: PointProblem['field'], message: string) =>
    out.push({ point: p.name, field, message });
  const t = effectiveType(p);
  const bitTable = isBitTable(p.table);
  if (bitTable) {
    if (t !== 'bool') problem('type', `a ${p.table} holds one bit: type must be bool, not ${t}`);
    if (p.bit !== undefined)
      problem('bit', `bit only applies to holding and input registers, not ${p.table}`);
  } else {
    if (t === 'bool' && p.bit === undefined)
      problem('type', `bool from a ${p.table} register needs bit (0-15)`);
    if (p.bit !== undefined && t !== 'bool') problem('bit', `bit needs type bool, not ${t}`);
  }
  if (t === 'string' && p.length === undefined) problem('length', 'type string needs length (in registers)');
  if (p.length !== undefined && t !== 'string')
    problem('length', `length only applies to type string, not ${t}`);
  if (t === 'bool' || t === 'string') {
    for (const k of ['scale', 'offset', 'deadband'] as const) {
      if (p[k] !== undefined) problem(k, `${k} only applies to numbers, not ${t}`);
    }
  }
  if (p.scale === 0) problem('scale', 'scale 0 would erase every reading');
  if (p.order !== undefined) {
    const width = t === 'string' ? 1 : WORDS[t];
    if (t === 'bool')
      problem('order', 'order does not apply to bool (bit counts from the least significant bit)');
    else if (width === 1 && !SINGLE_REGISTER_ORDERS.includes(p.order)) {
      problem(
        'order',
        `${t} is one register per value: order must be ABCD or BADC (byte swap), not ${p.order}`,
      );
    } else if (width === 2 && p.order.length !== 4) {
      problem('order', `${t} is 32-bit: order must be ABCD, CDAB, BADC or DCBA, not ${p.order}`);
    }
  }
  const width = pointWidth(p);
  if (!bitTable && width > maxRegistersPerRequest) {
    problem(
      t === 'string' ? 'length' : 'type',
      `${width} registers do not fit one request (maxRegistersPerRequest ${maxRegistersPerRequest})`,
    );
  }
  if (p.address + width > 65536) problem('address', `${t} at ${p.address} runs past address 65535`);
  return out;
}
