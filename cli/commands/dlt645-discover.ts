/**
 * `plantpulse dlt645 discover <url> [<url> …]`: commissioning of DL/T 645 meters whose nameplate address cannot be
 * read. Sends the DL/T 645-2007 read-address request (0x13) to the broadcast address on each bus — a serial port
 * (`rtu:///dev/ttyUSB0`, 2400 8E1 by default) or a transparent serial-to-TCP server (`tcp://host:port`) — and
 * prints the address the meter answers with, and the device line to paste. One meter per bus: with several, the
 * answers collide and the row says so (agent/sources/dlt645/discover-address.ts).
 */
import { discoverAddress } from '../../agent/sources/dlt645/discover-address.js';
import { readDlt645Url } from '../../agent/sources/dlt645/dlt645-url.js';
import { redactUrls } from '../../config/redact.js';
import { PlantpulseError } from '../../protocols/errors.js';
import { outputFormat, parse } from '../args.js';
import { durationArg } from '../duration-arg.js';
import { alignColumns } from '../text-table.js';
import type { Command, CommandIo } from './command.js';

const USAGE = `usage: plantpulse dlt645 discover <url> [<url> …] [--timeout 2s] [--format table|json]

Finds the address of the ONE DL/T 645 meter connected to each bus: the 2007 read-address request
(68 AA AA AA AA AA AA 68 13 00 DF 16) to the broadcast address; the meter answers with its 12-digit address.
  <url>             rtu:///dev/ttyUSB0?baud=2400&parity=even (2400 8E1 by default) or tcp://host:port (a
                    transparent serial-to-TCP converter / DTU); several URLs: one bus after the other
  --timeout <d>     how long to wait for the answer on each bus (default 2s)
  --format <f>      table (default) | json (one JSON object per bus)

Several meters on one bus all answer at once and their answers collide: disconnect the others (or read the
nameplate) and run it again. DL/T 645-1997 meters have no read-address function.

Exit codes: 0 every bus answered with an address; 1 a bus did not (no answer, collision, cannot open); 2 usage.`;

interface Row {
  url: string;
  ok: boolean;
  address?: string;
  code?: string;
  message?: string;
}

export async function runDlt645Discover(argv: string[], io: CommandIo): Promise<number> {
  // `dlt645 discover …` or `discover …`, whether or not the dispatcher strips the subcommand
  const rest = argv[0] === 'discover' ? argv.slice(1) : argv;
  const args = parse(rest, {
    timeout: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = outputFormat(v.format);
  if (typeof format !== 'string') return usage(io, format.error);
  let timeoutMs = 2000;
  if (typeof v.timeout === 'string') {
    const t = durationArg(v.timeout);
    if (t === undefined) return usage(io, `--timeout: "${v.timeout}" is not a duration like 2s or 500ms`);
    timeoutMs = t;
  }
  const urls = args.positionals;
  if (urls.length === 0) return usage(io, 'give the bus: rtu:///dev/ttyUSB0 or tcp://host:port');
  const bad = urls.flatMap((u) => {
    const r = readDlt645Url(u);
    return 'problems' in r ? [`${redactUrls(u)}: ${r.problems.join('; ')}`] : [];
  });
  if (bad.length > 0) return usage(io, bad.join('\n'));

  const rows: Row[] = [];
  for (const url of urls) {
    const row = await discoverOne(url, timeoutMs);
    rows.push(row);
    if (format === 'json') io.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (format === 'table') {
    const lines = alignColumns([
      ['BUS', 'ADDRESS', 'RESULT'],
      ...rows.map((r) => [r.url, r.address ?? '-', r.ok ? 'ok' : `${r.code}: ${r.message}`]),
    ]);
    io.stdout.write(`${lines.join('\n')}\n`);
    const found = rows.filter((r) => r.ok);
    if (found.length > 0) {
      io.stdout.write('\nto read it, add to agent.yaml devices:\n');
      for (const [i, r] of found.entries())
        io.stdout.write(`  - id: meter-${i + 1}\n    dlt645: { url: "${r.url}", address: "${r.address}" }\n`);
    }
  }
  const failed = rows.filter((r) => !r.ok).length;
  if (failed > 0) io.stderr.write(`${failed} of ${rows.length} bus(es) gave no address\n`);
  return failed > 0 ? 1 : 0;
}

async function discoverOne(url: string, timeoutMs: number): Promise<Row> {
  const shown = redactUrls(url);
  try {
    // the bus is opened, asked once and closed; the abort only bounds a port that never opens
    const r = await discoverAddress(url, timeoutMs, AbortSignal.timeout(timeoutMs * 2 + 5000));
    return r.ok
      ? { url: shown, ok: true, address: r.address }
      : { url: shown, ok: false, code: r.code, message: r.message };
  } catch (err) {
    const code = err instanceof PlantpulseError ? err.code : 'DLT645_CONNECT';
    const message = redactUrls(err instanceof Error ? err.message : String(err));
    return { url: shown, ok: false, code, message };
  }
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

export const dlt645Command: Command = {
  summary: 'find the address of the DL/T 645 meter on a serial port or serial-to-TCP converter',
  usage: USAGE,
  async run(argv, io) {
    if (argv[0] !== 'discover' && argv[0] !== '--help' && argv[0] !== '-h')
      return usage(
        io,
        argv[0] === undefined ? 'missing subcommand: discover' : `unknown subcommand "${argv[0]}"`,
      );
    return runDlt645Discover(argv, io);
  },
};
