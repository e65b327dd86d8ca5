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

const USAGE = `usage: plantpulse opcua trust [<thumbprint|file>] [--pki <dir>]
  <thumbprint>   SHA-1 thumbprint of a certificate in <pki>/rejected (as printed by the agent), or a unique prefix
  <file>         a server certificate file (PEM or DER) to trust directly
  (none)         list the rejected certificates
  --pki <dir>    client PKI folder (default ${DEFAULT_PKI_DIR})`;

export async function runOpcuaTrust(argv: string[], io: CommandIo): Promise<number> {
  // accept both `opcua trust …` and `trust …` (the lead's dispatcher may or may not strip the subcommand)
  const rest = argv[0] === 'trust' ? argv.slice(1) : argv;
  const args = parse(rest, { pki: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if ('error' in args) return usage(io, args.error);
  if (args.values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.positionals.length > 1) return usage(io, 'expected at most one thumbprint or file');
  const pkiDir = typeof args.values.pki === 'string' ? args.values.pki : DEFAULT_PKI_DIR;
  const target = args.positionals[0];
  const rejected = await listRejected(pkiDir);
  if (target === undefined) {
    if (rejected.length === 0) {
      io.stdout.write(`no rejected certificates in ${pkiDir}/rejected\n`);
      return 0;
    }
    for (const r of rejected) io.stdout.write(`${r.thumbprint}  ${describe(r.der)}  ${r.file}\n`);
    return 0;
  }
  let der: Buffer;
  if (existsSync(target)) {
    der = toDer(await readFile(target));
  } else {
    const wanted = target.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]{8,40}$/.test(wanted)) return usage(io, `${target} is neither a file nor a thumbprint`);
    const matches = rejected.filter((r) => r.thumbprint.startsWith(wanted));
    if (matches.length === 0) {
      io.stderr.write(`no rejected certificate with thumbprint ${wanted} in ${pkiDir}/rejected\n`);
      return 1;
    }
    if (matches.length > 1) {
      io.stderr.write(
        `thumbprint prefix ${wanted} is ambiguous: ${matches.map((m) => m.thumbprint).join(', ')}\n`,
      );
      return 1;
    }
    der = (matches[0] as (typeof matches)[number]).der;
  }
  let subject: string;
  try {
    subject = describe(der);
  } catch (err) {
    io.stderr.write(`not a certificate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const pki = await acquireClientPki(pkiDir);
  try {
    await pki.certificateManager.trustCertificate(der);
  } finally {
    await releaseClientPki(pki);
  }
  io.stdout.write(`trusted ${thumbprintOf(der)} (${subject}) in ${pkiDir}/trusted/certs\n`);
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
