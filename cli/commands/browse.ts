/**
 * `plantpulse browse opc.tcp://host:4840/path` — lists an OPC UA server's variables (node id, data type, access
 * level, browse path), or prints them as ready-to-paste `subscribe:` config lines (`--config`). Connects with the
 * same security rules as the agent: SignAndEncrypt/Basic256Sha256 by default, None only with --allow-insecure,
 * unknown server certificates rejected (then `plantpulse opcua trust`).
 */
import { browseVariables } from '../../agent/sources/opcua/browse-walker.js';
import { OpcuaLink } from '../../agent/sources/opcua/opcua-link.js';
import { builtinTypeId, kindOfBuiltin } from '../../protocols/opcua/data-types.js';
import { metricNameFromPath } from '../../protocols/opcua/node-id.js';
import { parse } from '../args.js';
import { alignColumns } from '../text-table.js';
import type { Command, CommandIo } from './command.js';
import { subscribeConfigLine } from './opcua-config-line.js';
import { OPCUA_CONNECT_OPTIONS, OPCUA_CONNECT_USAGE, opcuaConnectArgs } from './opcua-connect-args.js';
import { quietNodeOpcua } from './opcua-quiet.js';

const USAGE = `usage: plantpulse browse <opc.tcp://host:port/path> [options]
       plantpulse browse -c <agent.yaml> [--device <id>] [options]
  --depth <n>            levels below the root (default 10)
  --path <glob>          only variables whose browse path matches, e.g. 'CNC01/**' or '*/Spindle/*'
  --root <nodeId>        start node (default i=85, the Objects folder)
  --config               print ready-to-paste subscribe: config lines
  --max <n>              stop after n variables (default 10000)
  --include-server       also walk the standard Server object
${OPCUA_CONNECT_USAGE}`;

export async function runBrowse(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, {
    depth: { type: 'string' },
    path: { type: 'string' },
    root: { type: 'string' },
    config: { type: 'boolean' },
    max: { type: 'string' },
    'include-server': { type: 'boolean' },
    ...OPCUA_CONNECT_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const target = await opcuaConnectArgs(v, args.positionals[0]);
  if (!target.ok) {
    if (target.config === true) {
      io.stderr.write(`${target.message}\n`);
      return 2;
    }
    return usage(io, target.message);
  }
  if (args.positionals.length > 1) return usage(io, 'expected one opc.tcp:// endpoint');
  const endpoint = target.connection.endpoint;
  const depth = int(v.depth);
  const max = int(v.max);
  if (depth === null || max === null) return usage(io, '--depth and --max take a positive integer');

  const log = quietNodeOpcua(io);
  let link: OpcuaLink;
  try {
    link = new OpcuaLink({
      connection: target.connection,
      pkiDir: target.pkiDir,
      log,
      sessionName: 'plantpulse/browse',
    });
  } catch (err) {
    return usage(io, messageOf(err));
  }
  const ctl = new AbortController();
  try {
    await link.open(ctl.signal);
    const root = str(v.root);
    const glob = str(v.path);
    const outcome = await browseVariables(link.session, link.limits, {
      ...(root === undefined ? {} : { root }),
      ...(glob === undefined ? {} : { path: glob }),
      ...(depth === undefined ? {} : { depth }),
      ...(max === undefined ? {} : { maxVariables: max }),
      includeServer: v['include-server'] === true,
      signal: ctl.signal,
    });
    if (v.config === true) printConfig(io, endpoint, outcome.variables);
    else printTable(io, outcome.variables);
    if (outcome.truncated) io.stderr.write(`stopped after ${outcome.variables.length} variables (--max)\n`);
    else io.stderr.write(`${outcome.variables.length} variable(s)\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`browse failed: ${messageOf(err)}\n`);
    return 1;
  } finally {
    await link.close();
  }
}

function printTable(io: CommandIo, vars: Awaited<ReturnType<typeof browseVariables>>['variables']): void {
  const rows = vars.map((x) => [
    x.nodeId,
    x.valueRank >= 1 || x.valueRank === 0 ? `${x.dataType}[]` : x.dataType,
    `${x.readable ? 'R' : '-'}${x.writable ? 'W' : '-'}`,
    x.path,
  ]);
  for (const line of alignColumns([['NODE ID', 'DATA TYPE', 'ACCESS', 'PATH'], ...rows]))
    io.stdout.write(`${line}\n`);
}

function printConfig(
  io: CommandIo,
  endpoint: string,
  vars: Awaited<ReturnType<typeof browseVariables>>['variables'],
): void {
  io.stdout.write(`# ${vars.length} variable(s) of ${endpoint}\nsubscribe:\n`);
  const used = new Set<string>();
  for (const x of vars) {
    if (!x.readable) continue;
    let name = metricNameFromPath(x.path);
    for (let n = 2; used.has(name); n++) name = `${metricNameFromPath(x.path).slice(0, 60)}_${n}`;
    used.add(name);
    const id = builtinTypeId(x.dataType);
    const kind = id !== undefined && x.valueRank < 0 ? kindOfBuiltin(id) : undefined;
    io.stdout.write(`${subscribeConfigLine(name, x.nodeId, kind)}\n`);
  }
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: string | boolean | undefined): number | undefined | null {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const browseCommand: Command = {
  summary: "list an OPC UA server's variables, optionally as config lines",
  usage: USAGE,
  run: runBrowse,
};
