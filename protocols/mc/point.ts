/**
 * The vocabulary of an MC point and its rules, shared by the agent (agent/sources/mc/spec.ts) and the simulator.
 * Values decode through the Modbus register codec (protocols/modbus/register-codec.ts): a MELSEC word is a 16-bit
 * register, so each MC point is handed over as the Modbus point that decodes the same words.
 *
 * Word order: MELSEC keeps a 32-bit value (DINT, REAL, a double-word D0 = D0 low + D1 high) with its LOW word at the
 * lower device number, and a 64-bit LREAL the same way: order CDAB / GHEFCDAB in Modbus terms. A string keeps its
 * first character in the low byte of the first word ("AB" in D0 is 0x4241): BADC. The agent does not let a point
 * choose another order: this is how every MELSEC CPU stores them.
 */
import { type ModbusByteOrder, type ModbusPointSpec, wordsOf } from '../modbus/point.js';
import { MC_DEVICES, type McAddress, type McSeries, parseMcAddress } from './devices.js';

export const MC_VALUE_TYPES = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'int64',
  'uint64',
  'float64',
  'string',
] as const;
export type McValueType = (typeof MC_VALUE_TYPES)[number];

export interface McPointSpec {
  name: string;
  /** as the engineering tool writes it: D100, M20, X1F, ZR2000 */
  device: string;
  type?: McValueType;
  /** string length in words (two characters each) */
  length?: number;
  scale?: number;
  offset?: number;
  unit?: string;
  deadband?: number;
}

/** bool for bit devices, int16 for word devices (MELSEC's K values are signed 16-bit). */
export function mcEffectiveType(p: McPointSpec, address: McAddress): McValueType {
  return p.type ?? (MC_DEVICES[address.device].kind === 'bit' ? 'bool' : 'int16');
}

/** Words a point occupies on a word device (1 point on a bit device). */
export function mcPointWidth(type: McValueType, length: number | undefined): number {
  return wordsOf(type, length);
}

const ORDER_BY_WIDTH: Record<number, ModbusByteOrder> = { 1: 'ABCD', 2: 'CDAB', 4: 'GHEFCDAB' };

/** The Modbus point that decodes an MC word point's words (see the file comment for the orders). */
export function asRegisterPoint(p: McPointSpec, type: McValueType): ModbusPointSpec {
  const order: ModbusByteOrder =
    type === 'string' ? 'BADC' : (ORDER_BY_WIDTH[mcPointWidth(type, p.length)] ?? 'ABCD');
  const out: ModbusPointSpec = { name: p.name, table: 'holding', address: 0, type, order };
  if (p.length !== undefined) out.length = p.length;
  if (p.scale !== undefined) out.scale = p.scale;
  if (p.offset !== undefined) out.offset = p.offset;
  return out;
}

export interface McPointProblem {
  field: keyof McPointSpec;
  message: string;
}

/** A point resolved for a series: its address, type and width. */
export interface ResolvedMcPoint {
  spec: McPointSpec;
  address: McAddress;
  type: McValueType;
  /** words on a word device; 1 on a bit device */
  width: number;
  bit: boolean;
}

/** Resolves a point for a series, or says every reason it cannot be read. */
export function resolveMcPoint(p: McPointSpec, series: McSeries): ResolvedMcPoint | McPointProblem[] {
  const out: McPointProblem[] = [];
  const parsed = parseMcAddress(p.device, series);
  if ('problem' in parsed) return [{ field: 'device', message: parsed.problem }];
  const bit = MC_DEVICES[parsed.device].kind === 'bit';
  const type = mcEffectiveType(p, parsed);
  if (bit && type !== 'bool')
    out.push({ field: 'type', message: `${parsed.device} is a bit device: type must be bool, not ${type}` });
  if (!bit && type === 'bool')
    out.push({
      field: 'type',
      message: `${parsed.device} is a word device: bool applies to bit devices (M, X, Y, B, L, SM)`,
    });
  if (type === 'string' && p.length === undefined)
    out.push({ field: 'length', message: 'type string needs length (in words, two characters each)' });
  if (p.length !== undefined && type !== 'string')
    out.push({ field: 'length', message: `length only applies to type string, not ${type}` });
  if (type === 'bool' || type === 'string')
    for (const k of ['scale', 'offset', 'deadband'] as const)
      if (p[k] !== undefined) out.push({ field: k, message: `${k} only applies to numbers, not ${type}` });
  if (p.scale === 0) out.push({ field: 'scale', message: 'scale 0 would erase every reading' });
  if (out.length > 0) return out;
  return { spec: p, address: parsed, type, width: bit ? 1 : mcPointWidth(type, p.length), bit };
}
