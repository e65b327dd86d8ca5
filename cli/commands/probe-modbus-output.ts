/**
 * How `plantpulse probe` shows a window of Modbus data: every start address with its 0-based protocol address,
 * 1-based number and reference, the raw words and every interpretation side by side (one table per type, one column
 * per byte order), or one JSON object per start address; and the ready-to-paste config line for a chosen one.
 */
import { referenceOf, registerNumber } from '../../protocols/modbus/address-forms.js';
import {
  float32Text,
  interpretWindow,
  ORDERS_32,
  ORDERS_64,
  type StartInterpretation,
  TYPES_32,
  TYPES_64,
} from '../../protocols/modbus/interpretations.js';
import { isBitTable, type ModbusPointSpec, type ModbusTable } from '../../protocols/modbus/point.js';
import { decodePoint, type ModbusValue } from '../../protocols/modbus/register-codec.js';
import { alignColumns } from '../text-table.js';

export type ProbeData = { kind: 'registers'; words: number[] } | { kind: 'bits'; bits: boolean[] };

const TABLE_NOUN: Record<ModbusTable, [string, string]> = {
  holding: ['holding registers', 'REGISTER'],
  input: ['input registers', 'REGISTER'],
  coil: ['coils', 'COIL'],
  discrete: ['discrete inputs', 'INPUT'],
};

/** `holding registers at 0-based protocol addresses 100…107 (registers 101…108, references 40101…40108)` */
export function windowDescription(table: ModbusTable, address: number, count: number): string {
  const last = address + count - 1;
  const [noun, one] = TABLE_NOUN[table];
  const span = (a: string, b: string) => (count === 1 ? a : `${a}…${b}`);
  return (
    `${noun} at 0-based protocol address${count === 1 ? '' : 'es'} ${span(String(address), String(last))} ` +
    `(${one.toLowerCase()}${count === 1 ? '' : 's'} ${span(String(registerNumber(address)), String(registerNumber(last)))}, ` +
    `reference${count === 1 ? '' : 's'} ${span(referenceOf(table, address), referenceOf(table, last))})`
  );
}

export function probeTable(table: ModbusTable, start: number, data: ProbeData): string {
  const out: string[] = [];
  const section = (title: string, rows: string[][]) => {
    out.push('', title, ...alignColumns(rows).map((l) => `  ${l}`));
  };
  if (data.kind === 'bits') {
    const rows = data.bits.map((b, i) => [
      String(start + i),
      String(registerNumber(start + i)),
      referenceOf(table, start + i),
      b ? '1' : '0',
    ]);
    section('bits', [['ADDRESS', TABLE_NOUN[table][1], 'REF', 'VALUE'], ...rows]);
    return `${out.join('\n')}\n`;
  }
  const starts = interpretWindow(data.words, start);
  section('16-bit (BADC: the two bytes swapped)', [
    ['ADDRESS', 'REGISTER', 'REF', 'HEX', 'UINT16', 'INT16', 'UINT16 BADC', 'INT16 BADC', 'ASCII'],
    ...starts.map((s) => [
      String(s.address),
      String(registerNumber(s.address)),
      referenceOf(table, s.address),
      s.hex,
      String(s.narrow.uint16.ABCD),
      String(s.narrow.int16.ABCD),
      String(s.narrow.uint16.BADC),
      String(s.narrow.int16.BADC),
      JSON.stringify(s.ascii),
    ]),
  ]);
  for (const [types, orders] of [
    [TYPES_32, ORDERS_32],
    [TYPES_64, ORDERS_64],
  ] as const) {
    for (const t of types) {
      const rows = starts.filter((s) => s.wide[t] !== undefined);
      if (rows.length === 0) continue;
      section(`${t} (order: ${orders.join(', ')})`, [
        ['ADDRESS', 'REF', ...orders],
        ...rows.map((s) => [
          String(s.address),
          referenceOf(table, s.address),
          ...orders.map((o) => numberText(t, s.wide[t]?.[o])),
        ]),
      ]);
    }
  }
  return `${out.join('\n')}\n`;
}

function numberText(type: string, v: number | bigint | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  return type === 'float32' ? float32Text(v) : String(v);
}

/** One JSON object per start address (bigints and non-finite floats as strings). */
export function probeJsonLines(table: ModbusTable, start: number, data: ProbeData): string {
  const lines =
    data.kind === 'bits'
      ? data.bits.map((b, i) =>
          JSON.stringify({
            table,
            address: start + i,
            number: registerNumber(start + i),
            reference: referenceOf(table, start + i),
            value: b,
          }),
        )
      : interpretWindow(data.words, start).map((s) => JSON.stringify(jsonOf(table, s), jsonSafe));
  return `${lines.join('\n')}\n`;
}

function jsonOf(table: ModbusTable, s: StartInterpretation): Record<string, unknown> {
  return {
    table,
    address: s.address,
    number: registerNumber(s.address),
    reference: referenceOf(table, s.address),
    hex: s.hex,
    ...s.narrow,
    ascii: s.ascii,
    ...s.wide,
  };
}

export function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/** The config line for one interpretation, and the value the agent would decode with it. */
export function configLine(
  spec: ModbusPointSpec,
  data: ProbeData,
): { line: string; value: string; raw: ModbusValue } {
  const parts = [`name: ${spec.name}`, `table: ${spec.table}`, `address: ${spec.address}`];
  if (!isBitTable(spec.table) && spec.type !== undefined) parts.push(`type: ${spec.type}`);
  if (spec.order !== undefined && spec.order !== 'ABCD' && spec.order !== 'ABCDEFGH')
    parts.push(`order: ${spec.order}`);
  if (spec.length !== undefined) parts.push(`length: ${spec.length}`);
  const raw = data.kind === 'bits' ? data.bits[0] === true : decodePoint(spec, data.words, 0);
  const value =
    typeof raw === 'string'
      ? JSON.stringify(raw)
      : typeof raw === 'number' && spec.type === 'float32'
        ? float32Text(raw)
        : String(raw);
  return { line: `- { ${parts.join(', ')} }`, value, raw };
}
