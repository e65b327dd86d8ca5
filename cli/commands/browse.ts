/**
 * `plantpulse browse opc.tcp://host:4840/path` — lists an OPC UA server's variables (node id, data type, access
 * level, browse path), or prints them as ready-to-paste `subscribe:` config lines (`--config`). Connects with the
 * same security rules as the agent: SignAndEncrypt/Basic256Sha256 by default, None only with --allow-insecure,
 * unknown server certificates rejected (then `plantpulse opcua trust`).
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { browseVariables } from '../../agent/sources/opcua/browse-walker.js';
import { OpcuaLink } from '../../agent/sources/opcua/opcua-link.js';
import { DEFAULT_PKI_DIR } from '../../agent/sources/opcua/pki.js';
import { OpcuaConnection } from '../../agent/sources/opcua/spec.js';
import { resolveConfig } from '../../config/load.js';
import { builtinTypeId, kindOfBuiltin } from '../../protocols/opcua/data-types.js';
import { metricNameFromPath } from '../../protocols/opcua/node-id.js';
import type { SecurityModeName, SecurityPolicyName } from '../../protocols/opcua/security.js';
import { parse } from '../args.js';
import type { Command, CommandIo } from './command.js';
import { agentOpcuaDevice } from './opcua-pki-dirs.js';

const USAGE = `usage: plantpulse browse <opc.tcp://host:port/path> [options]
       plantpulse browse -c <agent.yaml> [--device <id>] [options]
  -c, --agent-config <f> connect like the agent does for that device (endpoint, security, user, PKI)
  --depth <n>            levels below the root (default 10)
  --path <glob>          only variables whose browse path matches, e.g. 'CNC01/**' or '*/Spindle/*'
  --root <nodeId>        start node (default i=85, the Objects folder)
  --config               print ready-to-paste subscribe: config lines
  --max <n>              stop after n variables (default 10000)
  --include-server       also walk the standard Server object
  --mode <m>             None | Sign | SignAndEncrypt (default SignAndEncrypt)
  --policy <p>           Basic256Sha256 | Aes128_Sha256_RsaOaep | Aes256_Sha256_RsaPss | None
  --allow-insecure       permit --mode None
  --user <name>          user name (password from --password-file or PLANTPULSE_OPCUA_PASSWORD)
  --password-file <f>    file holding the password
  --pki <dir>            client PKI folder (default ${DEFAULT_PKI_DIR})`;

const MODES = ['None', 'Sign', 'SignAndEncrypt'];
const POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];

export async function runBrowse(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, {
    depth: { type: 'string' },
    path: { type: 'string' },
    root: { type: 'string' },
    config: { type: 'boolean' },
    max: { type: 'string' },
    'include-server': { type: 'boolean' },
    mode: { type: 'string' },
    policy: { type: 'string' },
    'allow-insecure': { type: 'boolean' },
    user: { type: 'string' },
    'password-file': { type: 'string' },
    pki: { type: 'string' },
    'agent-config': { type: 'string', short: 'c' },
    device: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let fromConfig: { connection: OpcuaConnection; pkiDir: string } | undefined;
  const agentConfig = str(v['agent-config']);
  if (agentConfig !== undefined) {
    try {
      const found = await agentOpcuaDevice(agentConfig, str(v.device));
      if (typeof found === 'string') return usage(io, found);
      fromConfig = found;
    } catch (err) {
      io.stderr.write(`${messageOf(err)}\n`);
      return 2;
    }
  }
  const endpoint = args.positionals[0] ?? fromConfig?.connection.endpoint;
  if (endpoint === undefined || !endpoint.startsWith('opc.tcp://') || args.positionals.length > 1) {
    return usage(io, 'expected one opc.tcp:// endpoint');
  }
  const mode = str(v.mode);
  const policy = str(v.policy);
  if (mode !== undefined && !MODES.includes(mode))
    return usage(io, `--mode must be one of ${MODES.join(', ')}`);
  if (policy !== undefined && !POLICIES.includes(policy)) {
    return usage(io, `--policy must be one of ${POLICIES.join(', ')}`);
  }
  const depth = int(v.depth);
  const max = int(v.max);
  if (depth === null || max === null) return usage(io, '--depth and --max take a positive integer');

  // the agent's connection for the device, or the spec's defaults; options given here override either
  const connection: OpcuaConnection = {
    ...(fromConfig?.connection ?? resolveConfig(OpcuaConnection, { endpoint }, 'browse')),
    endpoint,
  };
  if (mode !== undefined) connection.securityMode = mode as SecurityModeName;
  if (policy !== undefined) connection.securityPolicy = policy as SecurityPolicyName;
  if (v['allow-insecure'] === true) connection.allowInsecure = true;
  const user = str(v.user);
  if (user !== undefined) {
    const file = str(v['password-file']);
    const password =
      file === undefined
        ? (process.env.PLANTPULSE_OPCUA_PASSWORD ?? '')
        : (await readFile(file, 'utf8')).trim();
    connection.user = { username: user, password };
  }
  const log = pino({ level: 'silent' });
  let link: OpcuaLink;
  try {
    link = new OpcuaLink({
      connection,
      pkiDir: str(v.pki) ?? fromConfig?.pkiDir ?? DEFAULT_PKI_DIR,
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
  const header = ['NODE ID', 'DATA TYPE', 'ACCESS', 'PATH'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  io.stdout.write(`${line(header)}\n`);
  for (const r of rows) io.stdout.write(`${line(r)}\n`);
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
    const type = id !== undefined && x.valueRank < 0 ? `, type: ${kindOfBuiltin(id)}` : '';
    io.stdout.write(`  - { name: ${name}, node: ${JSON.stringify(x.nodeId)}${type} }\n`);
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
