/**
 * The baseline: the plainest modbus-serial loop reading the same registers from the same simulators at the same
 * interval — one client per device, sequential reads of up to 125 registers, no decoding beyond modbus-serial's.
 */
import { createRequire } from 'node:module';
import type { PhaseMeter } from './measure.js';

interface RawClient {
  connectTCP(host: string, opts: { port: number }): Promise<void>;
  connectTelnet(host: string, opts: { port: number }): Promise<void>;
  setTimeout(ms: number): void;
  setID(id: number): void;
  readHoldingRegisters(address: number, count: number): Promise<{ data: number[] }>;
  close(cb: () => void): void;
  on(event: 'error', cb: (err: unknown) => void): void;
}

const require = createRequire(import.meta.url);
const ModbusRTU = require('modbus-serial') as new () => RawClient;

export async function runRawLoop(
  urls: readonly string[],
  registers: number,
  intervalMs: number,
  durationMs: number,
  meter: PhaseMeter,
): Promise<void> {
  const clients: RawClient[] = [];
  for (const url of urls) {
    const u = new URL(url);
    const c = new ModbusRTU();
    c.on('error', () => {});
    if (u.protocol === 'rtu+tcp:') await c.connectTelnet(u.hostname, { port: Number(u.port) });
    else await c.connectTCP(u.hostname, { port: Number(u.port) });
    c.setTimeout(10_000);
    c.setID(1);
    clients.push(c);
  }
  meter.start();
  const end = performance.now() + durationMs;
  await Promise.all(
    clients.map(async (c) => {
      const t0 = performance.now();
      for (let k = 0; ; k++) {
        const due = t0 + k * intervalMs;
        if (due >= end) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        meter.late(performance.now() - due);
        for (let a = 0; a < registers; a += 125) {
          try {
            const r = await c.readHoldingRegisters(a, Math.min(125, registers - a));
            meter.add(r.data.length);
          } catch {
            meter.failures++;
          }
        }
        // an overrun skips the ticks it missed, like the agent's runner
        const behind = Math.floor((performance.now() - t0) / intervalMs);
        if (behind > k + 1) k = behind - 1;
      }
    }),
  );
  await Promise.all(clients.map((c) => new Promise<void>((r) => c.close(() => r()))));
}
