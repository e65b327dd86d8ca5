/**
 * The client PKI folder (OPC UA Part 12 layout): `own/certs/client_certificate.pem` + `own/private/private_key.pem`
 * (created once, kept across restarts), `trusted/certs/` (servers we trust), `rejected/` (servers we refused:
 * `plantpulse opcua trust` moves one to trusted). Never auto-accepts an unknown server certificate.
 */

import { createHash } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getHostname, makeApplicationUrn, OPCUACertificateManager, OPCUAClient } from 'node-opcua';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../../protocols/durable-queue/private-files.js';

export const CLIENT_APPLICATION_NAME = 'plantpulse-agent';
export const DEFAULT_PKI_DIR = 'pki/opcua';

export interface ClientPki {
  readonly dir: string;
  readonly certificateManager: OPCUACertificateManager;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly applicationUri: string;
}

interface Entry {
  pki: ClientPki;
  users: number;
}

/** One certificate manager per folder and process (its file watchers keep trusted/ in sync with `opcua trust`). */
const open = new Map<string, Entry>();

/** Where the client's own certificate lives in a PKI folder. */
export function clientCertificateFile(dir: string): string {
  return join(resolve(dir), 'own', 'certs', 'client_certificate.pem');
}

export function clientApplicationUri(): string {
  return makeApplicationUrn(getHostname(), CLIENT_APPLICATION_NAME);
}

export async function acquireClientPki(dir: string): Promise<ClientPki> {
  const key = resolve(dir);
  const found = open.get(key);
  if (found !== undefined) {
    found.users += 1;
    return found.pki;
  }
  const certificateManager = new OPCUACertificateManager({
    rootFolder: key,
    automaticallyAcceptUnknownCertificate: false,
  });
  await certificateManager.initialize();
  // the client's private key is a secret: its folder 0700, the key 0600 (node-opcua-pki follows the umask)
  ensurePrivateDir(join(key, 'own', 'private'));
  const keyFile = join(key, 'own', 'private', 'private_key.pem');
  if (existsSync(keyFile)) chmodSync(keyFile, PRIVATE_FILE_MODE);
  const pki: ClientPki = {
    dir: key,
    certificateManager,
    certificateFile: clientCertificateFile(key),
    privateKeyFile: join(key, 'own', 'private', 'private_key.pem'),
    applicationUri: clientApplicationUri(),
  };
  open.set(key, { pki, users: 1 });
  return pki;
}

export async function releaseClientPki(pki: ClientPki): Promise<void> {
  const entry = open.get(pki.dir);
  if (entry === undefined) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  open.delete(pki.dir);
  await pki.certificateManager.dispose();
}

/**
 * Creates the client's own certificate if the folder has none (RSA 2048, 10 years; slow: RSA key generation),
 * and returns its path. Idempotent; the agent calls it before the first connect, tests once per file.
 */
export async function ensureClientCertificate(dir: string): Promise<string> {
  const pki = await acquireClientPki(dir);
  try {
    if (!existsSync(pki.certificateFile)) {
      const client = OPCUAClient.create({
        applicationName: CLIENT_APPLICATION_NAME,
        applicationUri: pki.applicationUri,
        clientCertificateManager: pki.certificateManager,
      });
      await client.createDefaultCertificate();
      await client.disconnect();
    }
    return pki.certificateFile;
  } finally {
    await releaseClientPki(pki);
  }
}

/** SHA-1 thumbprint (hex, lower case) of a DER certificate: what OPC UA tools show. */
export function thumbprintOf(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex');
}

/** PEM or DER file content → DER. */
export function toDer(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  return m?.[1] === undefined ? raw : Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export interface RejectedCertificate {
  file: string;
  thumbprint: string;
  der: Buffer;
}

/** Certificates in `rejected/`, with their thumbprints. */
export async function listRejected(dir: string): Promise<RejectedCertificate[]> {
  const folder = join(resolve(dir), 'rejected');
  if (!existsSync(folder)) return [];
  const out: RejectedCertificate[] = [];
  for (const name of await readdir(folder)) {
    if (!/\.(pem|der)$/i.test(name)) continue;
    const file = join(folder, name);
    const der = toDer(await readFile(file));
    out.push({ file, thumbprint: thumbprintOf(der), der });
  }
  return out;
}

/**
 * Trusts a server certificate file (PEM or DER) in a client PKI folder — what `plantpulse opcua trust <file>` does;
 * the demo uses it to pair the agent with its simulators without a manual step.
 */
export async function trustServerCertificateFile(dir: string, file: string): Promise<string> {
  const der = toDer(await readFile(file));
  const pki = await acquireClientPki(dir);
  try {
    await pki.certificateManager.trustCertificate(der);
  } finally {
    await releaseClientPki(pki);
  }
  return thumbprintOf(der);
}
