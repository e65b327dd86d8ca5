/**
 * `plantpulse probe <url>`: commissioning at the machine. For Modbus it reads raw registers (or bits) and shows every
 * interpretation side by side — addresses in every form, byte orders, widths, ASCII — and the config line of the one
 * that matches the display; for OPC UA it reads nodes once with value, type, status and time.
 */
import { parseArgs } from 'node:util';
import { parseReference } from '../../protocols/modbus/address-forms.js';
import type { ModbusTable } from '../../protocols/modbus/point.js';
import { outputFormat } from '../args.js';
import { durationArg } from '../duration-arg.js';
import type { Command, CommandIo } from './command.js';
import { OPCUA_CONNECT_OPTIONS, OPCUA_CONNECT_USAGE } from './opcua-connect-args.js';

const USAGE = `usage: plantpulse probe <tcp://host:502 | rtu:///dev/ttyUSB0?baud=19200&parity=even | rtu+tcp://host:4001>
                        [<reference>] [--address <n>] [--table holding] [--count 8] [options]
       plantpulse probe <opc.tcp://host:4840> --node <nodeId> [--node …] [options]

Modbus: reads a window of registers (or coils/discrete inputs) once and prints, for every start address, its
0-based protocol address, register number and reference, the raw words, uint16/int16 (also byte-swapped),
int32/uint32/float32 in every order (ABCD, CDAB, BADC, DCBA), int64/uint64/float64 in every order, and ASCII.
  <reference>           40101, 400101 or 4x0101 = holding register 101 = address 100; 30001 input, 00001 coil,
                        10001 discrete input
  --address <n>         the 0-based protocol address, as in the config (address: 100); a reference (4x0101) works too
  --table <t>           holding (default) | input | coil | discrete
  --count <n>           registers (default 8, at most 125) or bits (default 16, at most 2000)
  --unit <id>           unit id (default 1)
  --timeout <d>         per request (default 1s)
  --as <type[:order]>   print the config line for one interpretation at the start address: float32:CDAB, uint32,
                        int16:BADC, float64:GHEFCDAB, string (the whole window), bool (coils, discrete inputs)
  --name <metric>       the metric name in that line (default <table>_<address>)
  --format <f>          table (default) | json (one JSON object per start address)

OPC UA: reads the nodes once: value, data type, status, source timestamp, and the subscribe: line to paste.
  --node <id>           a node id, e.g. "ns=2;s=CNC01.Spindle.Speed" (repeatable)
  --format <f>          table (default) | json (one JSON object per value)
${OPCUA_CONNECT_USAGE}

Exit codes: 0 read and good; 1 no answer, an error or a bad status (printed with its code and a hint); 2 usage.`;

const TABLES: readonly ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];

export async function runProbe(argv: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [url, refText, ...extra] = positionals;
  const format = outputFormat(v.format);
  if (typeof format !== 'string') return usage(io, format.error);
  if (url?.startsWith('opc.tcp://') === true || (url === undefined && v['agent-config'] !== undefined)) {
    if (refText !== undefined)
      return usage(io, `unexpected argument "${refText}" (nodes are given with --node)`);
    // node-opcua is loaded only for OPC UA (it is large and prints its self-test at load)
    const { probeOpcua } = await import('./probe-opcua.js');
    return probeOpcua(v, url ?? '', v.node ?? [], format, io);
  }
  if (url === undefined || !/^(tcp|rtu|rtu\+tcp):\/\//.test(url)) {
    return usage(io, 'expected a tcp://, rtu://, rtu+tcp:// or opc.tcp:// URL');
  }
  if (extra.length > 0) return usage(io, `unexpected argument "${extra[0]}"`);

  let table: ModbusTable | undefined;
  if (v.table !== undefined) {
    if (!(TABLES as readonly string[]).includes(v.table))
      return usage(io, `--table must be one of ${TABLES.join(', ')}`);
    table = v.table as ModbusTable;
  }
  let address: number | undefined;
  let reference: string | undefined;
  if (refText !== undefined && v.address !== undefined)
    return usage(io, 'give a reference or --address, not both');
  const where = refText ?? v.address;
  if (where !== undefined) {
    const plain = refText === undefined && /^\d+$/.test(where);
    if (plain) {
      address = Number(where);
      if (address > 65535) return usage(io, `--address ${where} is past 65535`);
      if (/^[34]\d{4,5}$/.test(where) && parseReference(where).ok)
        io.stderr.write(
          `note: --address is the 0-based protocol address; for the reference ${where} give it without --address\n`,
        );
    } else {
      const ref = parseReference(where);
      if (!ref.ok) return usage(io, ref.message);
      if (table !== undefined && table !== ref.table)
        return usage(io, `${where} refers to the ${ref.table} table but --table says ${table}`);
      table = ref.table;
      address = ref.address;
      reference = where;
    }
  }
  if (address === undefined)
    return usage(io, 'which address? give a reference (40101, 4x0101) or --address <0-based>');
  table ??= 'holding';
  const bits = table === 'coil' || table === 'discrete';
  const count = positiveInt(v.count, bits ? 16 : 8);
  const max = bits ? 2000 : 125;
  if (count === undefined || count > max) return usage(io, `--count must be 1…${max} for ${table}`);
  if (address + count > 65536) return usage(io, `address ${address} + ${count} runs past 65535`);
  const unitId = v.unit === undefined ? 1 : Number(v.unit);
  if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) return usage(io, '--unit must be 0…255');
  const timeoutMs = durationArg(v.timeout ?? '1s');
  if (timeoutMs === undefined) return usage(io, '--timeout takes a duration: 500ms, 1s, 3s');
  const name = v.name ?? `${table}_${address}`;
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) return usage(io, '--name must be [A-Za-z0-9_]{1,64}');
  const { probeModbus } = await import('./probe-modbus.js');
  return probeModbus(
    {
      url,
      unitId,
      table,
      address,
      count,
      timeoutMs,
      format,
      ...(reference === undefined ? {} : { reference }),
      ...(v.as === undefined ? {} : { as: { text: v.as, name } }),
    },
    io,
  );
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      address: { type: 'string' },
      table: { type: 'string' },
      count: { type: 'string' },
      unit: { type: 'string' },
      timeout: { type: 'string' },
      as: { type: 'string' },
      name: { type: 'string' },
      node: { type: 'string', multiple: true },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...OPCUA_CONNECT_OPTIONS,
    },
  });
}

function positiveInt(text: string | undefined, dflt: number): number | undefined {
  if (text === undefined) return dflt;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`probe: ${message}\n\n${USAGE}\n`);
  return 2;
}

export const probeCommand: Command = {
  summary: 'read raw Modbus registers in every interpretation (or OPC UA nodes) and print the config line',
  usage: USAGE,
  run: runProbe,
};
