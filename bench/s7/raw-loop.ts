/**
 * The baseline: the plainest @st-one-io/nodes7 loop reading the same tags from the same PLC at the same interval —
 * one endpoint, `readDB(1, 0, 4 × tags)` (the library splits it for the PDU), each REAL taken from the buffer.
 */
import { createRequire } from 'node:module';
import type { PhaseMeter } from '../modbus/measure.js';

interface RawEndpoint {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readDB(db: number, address: number, length: number): Promise<Buffer>;
  on(event: 'error', cb: (err: unknown) => void): void;
}
const require = createRequire(import.meta.url);
const { S7Endpoint } = require('@st-one-io/nodes7') as {
  S7Endpoint: new (opts: Record<string, unknown>) => RawEndpoint;
};

export async function runS7RawLoop(
  target: { host: string; port: number },
  tags: number,
  intervalMs: number,
  durationMs: number,
  meter: PhaseMeter,
): Promise<void> {
  const ep = new S7Endpoint({ host: target.host, port: target.port, rack: 0, slot: 1, autoReconnect: 0 });
  ep.on('error', () => {});
  await ep.connect();
  meter.start();
  const t0 = performance.now();
  const end = t0 + durationMs;
  for (let k = 0; ; k++) {
    const due = t0 + k * intervalMs;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    meter.late(performance.now() - due);
    try {
      const b = await ep.readDB(1, 0, tags * 4);
      let n = 0;
      for (let i = 0; i < tags; i++) if (Number.isFinite(b.readFloatBE(i * 4))) n++;
      meter.add(n);
    } catch {
      meter.failures++;
    }
    // an overrun skips the ticks it missed, like the agent's runner
    const behind = Math.floor((performance.now() - t0) / intervalMs);
    if (behind > k + 1) k = behind - 1;
  }
  await ep.disconnect();
}
