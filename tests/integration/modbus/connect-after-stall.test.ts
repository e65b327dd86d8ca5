/**
 * A loaded gateway can stall the event loop past a connect deadline while the connection itself completed (the
 * kernel finishes a TCP handshake without us). After such a stall Node runs due timers before pending I/O: the
 * client must see the completed connect, not report a connect timeout for a device that answered.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** Keeps this thread busy: no timer and no I/O callback runs meanwhile. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

it('a connect that completed during a stall longer than its deadline counts as connected', async () => {
  const client = new ModbusClient({ kind: 'tcp', host: '127.0.0.1', port }, { onDown: () => {} });
  const opened = client.open(50, new AbortController().signal);
  stall(400);
  await expect(opened).resolves.toBeUndefined();
  client.destroy();
});
