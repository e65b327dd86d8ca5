/**
 * A loaded gateway can stall the event loop past a connect deadline while the connection itself completed (the
 * kernel finishes a TCP handshake without us). After such a stall Node runs due timers before pending I/O: the
 * line must see the completed connect, not report a connect timeout for a device that answered
 * (agent/sources/serial-line/io-deadline.ts, used by the Modbus client and the DL/T 645 bus link).
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openBusLink } from '../../../agent/sources/dlt645/bus-link.js';
import { ModbusClient } from '../../../agent/sources/modbus/modbus-client.js';

let server: net.Server;
let port: number;

beforeAll(async () => {
  server = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/**
 * Runs the rest of the test in the event loop's check phase, so that after a stall the loop's next step is its
 * timers phase (how a stalled gateway meets it), whatever phase the test runner started the test in.
 */
function inCheckPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Keeps this thread busy: no timer and no I/O callback runs meanwhile. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

it('Modbus: a connect that completed during a stall longer than its deadline counts as connected', async () => {
  await inCheckPhase();
  const client = new ModbusClient({ kind: 'tcp', host: '127.0.0.1', port }, { onDown: () => {} });
  const opened = client.open(50, new AbortController().signal);
  stall(400);
  await expect(opened).resolves.toBeUndefined();
  client.destroy();
});

it('DL/T 645: a bus link whose connect completed during a stall longer than its deadline is open', async () => {
  await inCheckPhase();
  const opened = openBusLink(
    'tcp:test',
    { kind: 'tcp', host: '127.0.0.1', port },
    { onData: () => {}, onDown: () => {} },
    50,
    new AbortController().signal,
  );
  stall(400);
  const link = await opened;
  expect(link.open).toBe(true);
  link.close();
});
