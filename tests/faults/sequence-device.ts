/**
 * A Modbus TCP device whose holding registers 0–1 hold a uint32 (ABCD) that grows by one on every read: each poll
 * of the agent reads a new value, so the values in InfluxDB must be 1, 2, 3 … with no gap and no repeat. It counts
 * on reads, not on time, so an agent that is down simply reads the next value when it is back. Repeated values are
 * never sent twice (report by exception), which `freeze()` uses to end a run.
 * Built on the simulator's MBAP transport; in-process so the test knows exactly what it served.
 */
import net from 'node:net';
import { exceptionPdu, parseRequestPdu, registersResponsePdu } from '../../protocols/modbus/frame.js';
import { serveMbap } from '../../simulators/modbus/tcp-transport.js';

export interface SequenceDevice {
  readonly url: string;
  /** the last value served (0 before the first read) */
  served(): number;
  /** keep answering, with the same value: the counter stops (report by exception sends nothing new) */
  freeze(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startSequenceDevice(): Promise<SequenceDevice> {
  let value = 0;
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveMbap(
      socket,
      (_unit, pdu) => {
        const req = parseRequestPdu(pdu);
        const fc = pdu[0] ?? 0;
        if (req?.fc !== 3 || req.address !== 0 || req.count !== 2) {
          return { kind: 'reply', pdu: exceptionPdu(fc, 2), delayMs: 0 };
        }
        if (!frozen) value++;
        return { kind: 'reply', pdu: registersResponsePdu(3, [value >>> 16, value & 0xffff]), delayMs: 0 };
      },
      () => undefined,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    served: () => value,
    freeze: () => {
      frozen = true;
    },
    resume: () => {
      frozen = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
