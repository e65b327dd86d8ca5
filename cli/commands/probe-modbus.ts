/**
 * `plantpulse probe tcp://… | rtu://… | rtu+tcp://…`: reads a window of raw registers (or bits) through the agent's
 * own Modbus source — a one-group device built from the options and created by agent/sources/registry.ts, so the
 * connection, line queue, timeout and error classification are the agent's — and shows every interpretation.
 */

import type { AgentDeviceInput } from '../../agent/config/device-spec.js';
import { resolveAgentDevice } from '../../agent/config/load-agent-config.js';
import { SharedResources } from '../../agent/sources/component.js';
import { createSources } from '../../agent/sources/registry.js';
import type { ReadFailure } from '../../agent/sources/source.js';
import { createRootLogger } from '../../config/logging.js';
import { TABLE_FUNCTION } from '../../protocols/modbus/address-forms.js';
import {
  checkPoint,
  isBitTable,
  type ModbusByteOrder,
  type ModbusPointSpec,
  type ModbusTable,
  type ModbusValueType,
  pointWidth,
} from '../../protocols/modbus/point.js';
import type { CommandIo } from './command.js';
import { type ModbusProbeContext, modbusHint } from './probe-hints.js';
import {
  configLine,
  jsonSafe,
  type ProbeData,
  probeJsonLines,
  probeTable,
  windowDescription,
} from './probe-modbus-output.js';

export interface ModbusProbe extends ModbusProbeContext {
  format: 'table' | 'json';
  /** how the user gave the address, when it was a reference: `40101` */
  reference?: string;
  /** `--as type[:order]` with the metric name for its config line */
  as?: { text: string; name: string };
}

const REGISTER_TYPES: readonly ModbusValueType[] = [
  'uint16',
  'int16',
  'int32',
  'uint32',
  'float32',
  'int64',
  'uint64',
  'float64',
  'string',
];
const ORDER_32 = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
const ORDER_64 = ['ABCDEFGH', 'GHEFCDAB', 'BADCFEHG', 'HGFEDCBA'] as const;

/** `float32:CDAB` → the point that reads it at the probe's start address; a message when it cannot be one. */
export function pointOfAs(
  text: string,
  name: string,
  table: ModbusTable,
  address: number,
  count: number,
): ModbusPointSpec | string {
  const [type, order, extra] = text.split(':');
  if (extra !== undefined) return `--as ${text}: expected type[:order], e.g. float32:CDAB`;
  if (isBitTable(table)) {
    if (type !== 'bool' || order !== undefined) return `--as: ${table} data is read as bool`;
    return { name, table, address };
  }
  if (!(REGISTER_TYPES as readonly string[]).includes(type ?? '')) {
    return `--as: type must be one of ${REGISTER_TYPES.join(', ')} (a bit of a register: type bool with bit: in the config)`;
  }
  const spec: ModbusPointSpec = { name, table, address, type: type as ModbusValueType };
  if (spec.type === 'string') spec.length = count;
  if (order !== undefined) {
    // a four-letter order works for every width, an eight-letter one for 64-bit types (agent/sources/modbus/README.md);
    // the line uses the spelling of the type's width
    const i = Math.max(ORDER_32.indexOf(order as never), ORDER_64.indexOf(order as never));
    if (i < 0) return `--as: order must be one of ${[...ORDER_32, ...ORDER_64].join(', ')}`;
    spec.order = (pointWidth(spec) === 4 ? ORDER_64[i] : ORDER_32[i]) as ModbusByteOrder;
    if ((spec.type === 'uint16' || spec.type === 'int16') && i !== 0 && i !== 2)
      return `--as ${text}: a 16-bit value has only two orders, ABCD and BADC (bytes swapped)`;
  }
  const problems = checkPoint(spec);
  return problems.length === 0 ? spec : `--as ${text}: ${problems.map((p) => p.message).join('; ')}`;
}

export async function probeModbus(p: ModbusProbe, io: CommandIo): Promise<number> {
  let asSpec: ModbusPointSpec | undefined;
  let count = p.count;
  if (p.as !== undefined) {
    const spec = pointOfAs(p.as.text, p.as.name, p.table, p.address, p.count);
    if (typeof spec === 'string') return usageError(io, spec);
    asSpec = spec;
    count = Math.max(count, pointWidth(spec));
  }
  const ctx: ModbusProbeContext = { ...p, count };
  const log = createRootLogger('plantpulse', 'error', io.stderr);
  const device: AgentDeviceInput = {
    id: 'probe',
    modbus: { url: p.url, unitId: p.unitId, timeout: `${p.timeoutMs}ms` },
    poll: [
      {
        every: '1s',
        points: Array.from({ length: count }, (_, i) => ({
          name: `w${i}`,
          table: p.table,
          address: p.address + i,
          type: isBitTable(p.table) ? ('bool' as const) : ('uint16' as const),
        })),
      },
    ],
  };
  let source: Awaited<ReturnType<typeof createSources>>[number] | undefined;
  try {
    [source] = await createSources(resolveAgentDevice(device), { log, shared: new SharedResources() });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    return usageError(
      io,
      code === 'MODBUS_BAD_URL' ? `${message}\nhint: ${modbusHint(code, undefined, ctx)}` : message,
    );
  }
  if (source?.kind !== 'polling') return usageError(io, `${p.url} is not a Modbus URL`);
  const what = `${windowDescription(p.table, p.address, count)}: function ${TABLE_FUNCTION[p.table]}, unit ${p.unitId}, ${p.url}`;
  try {
    try {
      await source.connect(AbortSignal.timeout(p.timeoutMs + 1000));
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      return fail(io, p, ctx, {
        code: typeof e.code === 'string' ? e.code : 'MODBUS_CONNECT',
        message: String(e.message),
      });
    }
    const r = await source.read(0, AbortSignal.timeout(p.timeoutMs + 1000));
    const failure = r.failures[0];
    if (failure !== undefined) return fail(io, p, ctx, failure);
    const byName = new Map(r.samples.map((s) => [s.metric, s.value]));
    const at = (i: number) => byName.get(`w${i}`);
    const data: ProbeData = isBitTable(p.table)
      ? { kind: 'bits', bits: Array.from({ length: count }, (_, i) => at(i) === true) }
      : { kind: 'registers', words: Array.from({ length: count }, (_, i) => Number(at(i) ?? 0)) };
    const chosen = asSpec === undefined ? undefined : configLine(asSpec, data);
    if (p.format === 'json') {
      io.stdout.write(probeJsonLines(p.table, p.address, data));
      if (chosen !== undefined && p.as !== undefined)
        io.stdout.write(
          `${JSON.stringify({ as: p.as.text, value: chosen.raw, config: chosen.line }, jsonSafe)}\n`,
        );
      return 0;
    }
    const ref =
      p.reference === undefined
        ? ''
        : `${p.reference} is 0-based protocol address ${p.address} (address: ${p.address} in the config)\n`;
    io.stdout.write(`${ref}read ${what}\n${probeTable(p.table, p.address, data)}`);
    if (chosen !== undefined && p.as !== undefined) {
      io.stdout.write(
        `\n${p.as.text} at ${p.table} ${p.address} reads ${chosen.value}; paste under poll[].points:\n  ${chosen.line}\n`,
      );
    }
    return 0;
  } finally {
    await source.close();
  }
}

/** A failed read: its code, message and a hint — never a stack trace. Exit code 1. */
function fail(
  io: CommandIo,
  p: ModbusProbe,
  ctx: ModbusProbeContext,
  f: Pick<ReadFailure, 'code' | 'message'> & { detail?: number | string },
): number {
  const hint = modbusHint(f.code, f.detail, ctx);
  if (p.format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ error: { code: f.code, detail: f.detail ?? null, message: f.message, hint } })}\n`,
    );
  } else {
    io.stderr.write(
      `probe failed: ${f.code}${f.detail === undefined ? '' : ` ${f.detail}`}: ${f.message}\nhint: ${hint}\n`,
    );
  }
  return 1;
}

function usageError(io: CommandIo, message: string): number {
  io.stderr.write(`probe: ${message}\n`);
  return 2;
}
