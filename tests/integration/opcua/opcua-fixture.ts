/** Shared helpers of the OPC UA integration tests: a temp client PKI, mutual trust with a simulator, waiting. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { AgentDeviceInput } from '../../../agent/config/device-spec.js';
import { routeNodeOpcuaLogging } from '../../../agent/sources/opcua/node-opcua-logging.js';
import { ensureClientCertificate, trustServerCertificateFile } from '../../../agent/sources/opcua/pki.js';
import type { Sample } from '../../../protocols/sample.js';
import type { OpcuaSimulator } from '../../../simulators/opcua/opcua-simulator.js';
import { opcuaDevice } from '../../helpers/configs.js';

export const quietLog = pino({ level: 'silent' });
// keep node-opcua's console chatter out of the test output (security.test.ts checks the routing itself)
routeNodeOpcuaLogging(quietLog);

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A client PKI with its certificate created (RSA keygen: once per test file). */
export async function clientPki(): Promise<{
  dir: string;
  certificateFile: string;
  remove(): Promise<void>;
}> {
  const t = await tempDir('plantpulse-opcua-pki-');
  const certificateFile = await ensureClientCertificate(t.dir);
  return { dir: t.dir, certificateFile, remove: t.remove };
}

/** The server trusts our client certificate and we trust the server's. */
export async function trustEachOther(
  sim: OpcuaSimulator,
  pki: { dir: string; certificateFile: string },
): Promise<void> {
  await sim.trustClientCertificate(pki.certificateFile);
  await trustServerCertificateFile(pki.dir, sim.certificateFile);
}

/** An OPC UA device written as in a config file, resolved as the agent's loader resolves it. */
export function device(
  id: string,
  opcua: NonNullable<AgentDeviceInput['opcua']>,
  rest: Omit<AgentDeviceInput, 'id' | 'opcua'> = {},
) {
  return opcuaDevice({ id, opcua, ...rest });
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => T | undefined, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export class SampleLog {
  readonly samples: Sample[] = [];
  readonly push = (batch: Sample[]): void => {
    for (const s of batch) this.samples.push(s);
  };
  last(metric: string): Sample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--)
      if (this.samples[i]?.metric === metric) return this.samples[i];
    return undefined;
  }
  lastWhere(metric: string, pred: (s: Sample) => boolean): Sample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s?.metric === metric && pred(s)) return s;
    }
    return undefined;
  }
  metrics(): Set<string> {
    return new Set(this.samples.map((s) => s.metric));
  }
}

export { memoryIo } from '../../helpers/memory-io.js';
