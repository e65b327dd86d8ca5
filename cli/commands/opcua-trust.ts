/**
 * `plantpulse opcua trust <thumbprint|file>` — trusts one OPC UA server certificate: a thumbprint (or an unambiguous
 * prefix of at least 8 hex digits) of a certificate in the PKI's `rejected/` folder, or a certificate file (PEM or
 * DER). Without an argument it lists the rejected certificates. A running agent picks the change up by itself
 * (the certificate manager watches `trusted/`).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  acquireClientPki,
  DEFAULT_PKI_DIR,
  listRejected,
  releaseClientPki,
  thumbprintOf,
  toDer,
} from '../../agent/sources/opcua/pki.js';
import { parse } from '../args.js';
import type { Command, CommandIo } from './command.js';
import { agentPkiDirs } from './opcua-pki-dirs.js';

const USAGE = `usage: plantpulse opcua trust [<thumbprint|file>] [--pki <dir> | -c <agent.yaml> [--device <id>]]
  <thumbprint>       SHA-1 thumbprint of a certificate in <pki>/rejected (as printed by the agent), or a unique prefix
  <file>             a server certificate file (PEM or DER) to trust directly
  (none)             list the rejected certificates
  --pki <dir>        client PKI folder (default ${DEFAULT_PKI_DIR})
  -c, --config <f>   use the PKI folder(s) of this agent config (optionally of one --device)`;

export async function runOpcuaTrust(argv: string[], io: CommandIo): Promise<number> {
  // accept both `opcua trust …` and `trust …` (the dispatcher may or may not strip the subcommand)
  const rest = argv[0] === 'trust' ? argv.slice(1) : argv;
  const args = parse(rest, {
    pki: { type: 'string' },
    config: { type: 'string', short: 'c' },
    device: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.positionals.length > 1) return usage(io, 'expected at most one thumbprint or file');
  if (typeof v.pki === 'string' && typeof v.config === 'string')
    return usage(io, 'use --pki or -c, not both');
  let dirs: string[];
  if (typeof v.config === 'string') {
    try {
      dirs = await agentPkiDirs(v.config, typeof v.device === 'string' ? v.device : undefined);
    } catch (err) {
      io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    if (dirs.length === 0) return usage(io, `no OPC UA device in ${v.config}`);
  } else {
    dirs = [typeof v.pki === 'string' ? v.pki : DEFAULT_PKI_DIR];
  }
  const where = dirs.map((d) => `${d}/rejected`).join(', ');
  const rejected = (
    await Promise.all(dirs.map(async (dir) => (await listRejected(dir)).map((r) => ({ ...r, dir }))))
  ).flat();
  const target = args.positionals[0];
  if (target === undefined) {
    if (rejected.length === 0) {
      io.stdout.write(`no rejected certificates in ${where}\n`);
      return 0;
    }
    for (const r of rejected) io.stdout.write(`${r.thumbprint}  ${describe(r.der)}  ${r.file}\n`);
    return 0;
  }
  let der: Buffer;
  let pkiDirs: string[];
  if (existsSync(target)) {
    if (dirs.length > 1)
      return usage(io, `the config has several PKI folders (${dirs.join(', ')}): add --device`);
    der = toDer(await readFile(target));
    pkiDirs = [dirs[0] ?? DEFAULT_PKI_DIR];
  } else {
    const wanted = target.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]{8,40}$/.test(wanted)) return usage(io, `${target} is neither a file nor a thumbprint`);
    const matches = rejected.filter((r) => r.thumbprint.startsWith(wanted));
    const distinct = [...new Set(matches.map((m) => m.thumbprint))];
    const match = matches[0];
    if (match === undefined) {
      io.stderr.write(`no rejected certificate with thumbprint ${wanted} in ${where}\n`);
      return 1;
    }
    if (distinct.length > 1) {
      io.stderr.write(`thumbprint prefix ${wanted} is ambiguous: ${distinct.join(', ')}\n`);
      return 1;
    }
    der = match.der;
    // the same server may be rejected in several PKI folders (devices with their own pki): trust it in each
    pkiDirs = [...new Set(matches.map((m) => m.dir))];
  }
  let subject: string;
  try {
    subject = describe(der);
  } catch (err) {
    io.stderr.write(`not a certificate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  for (const pkiDir of pkiDirs) {
    const pki = await acquireClientPki(pkiDir);
    try {
      await pki.certificateManager.trustCertificate(der);
    } finally {
      await releaseClientPki(pki);
    }
    io.stdout.write(`trusted ${thumbprintOf(der)} (${subject}) in ${pkiDir}/trusted/certs\n`);
  }
  return 0;
}

function describe(der: Buffer): string {
  const c = new X509Certificate(der);
  return `${c.subject.replace(/\n/g, ', ')}; valid until ${new Date(c.validTo).toISOString().slice(0, 10)}`;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

export const opcuaTrustCommand: Command = {
  summary: 'trust a rejected OPC UA server certificate (or list them)',
  usage: USAGE,
  run: runOpcuaTrust,
};
