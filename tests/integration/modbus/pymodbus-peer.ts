/**
 * An independent Modbus TCP peer for interop tests: Debian python3-pymodbus serving known values, each encoded by
 * pymodbus's own payload builder (peers/pymodbus_server.py). Unmapped registers answer exception 2.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';

/** A point and the value pymodbus encodes for it (64-bit integers as decimal strings). */
export type PeerPoint = Omit<ModbusPointSpec, 'name'> & { value: number | string | boolean };

export interface PymodbusPeer {
  readonly port: number;
  readonly url: string;
  close(): void;
}

export async function startPymodbusPeer(points: readonly PeerPoint[]): Promise<PymodbusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-pymodbus-'));
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify({ points }));
  const child: ChildProcess = spawn(
    '/usr/bin/python3',
    [join(import.meta.dirname, 'peers', 'pymodbus_server.py'), specFile],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const close = () => {
    child.stdin?.end(); // the server exits when its stdin closes
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /\{"port": (\d+)\}/.exec(out);
        if (m?.[1]) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`pymodbus server exited ${code}: ${err}`)));
      child.once('error', reject);
    });
    return { port, url: `tcp://127.0.0.1:${port}`, close };
  } catch (e) {
    close();
    throw e;
  }
}
