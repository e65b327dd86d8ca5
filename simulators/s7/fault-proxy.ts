/**
 * A TCP relay in front of the snap7 server: it listens on port 0 (snap7 only takes a fixed port) and injects the
 * faults a PLC network shows — answers that never come, connections reset, a PLC that is gone.
 */
import net from 'node:net';

export interface FaultProxy {
  readonly port: number;
  /** swallow every answer from the PLC while on (requests still reach it) */
  setNoAnswer(on: boolean): void;
  /** answer every read job with this S7 header error (class << 8 | code, e.g. 0x8104 PUT/GET off); undefined: stop */
  refuseReads(errorCode: number | undefined): void;
  /** reset every open connection (TCP RST) */
  resetConnections(): void;
  /** stop listening and reset every connection: the PLC is gone */
  down(): Promise<void>;
  /** listen again on the same port */
  up(): Promise<void>;
  readonly connections: number;
  close(): Promise<void>;
}

/** The first whole TPKT frame (RFC 1006: 0x03 0x00 and a 16-bit length) in `b`, if there is one. */
function nextTpkt(b: Buffer): Buffer | undefined {
  if (b.length < 4) return undefined;
  const len = b.readUInt16BE(2);
  return b.length >= len ? b.subarray(0, len) : undefined;
}

/** The PDU reference of an S7 read-variable job (COTP DT, S7 header ROSCTR 1, function 0x04), else undefined. */
function readJobReference(frame: Buffer): number | undefined {
  // TPKT (4) + COTP DT (3: 02 F0 80) + S7 header (10) + function
  if (frame.length < 18 || frame[5] !== 0xf0 || frame[7] !== 0x32 || frame[8] !== 0x01) return undefined;
  return frame[17] === 0x04 ? frame.readUInt16BE(11) : undefined;
}

/** An ACK_DATA for `ref` carrying a header error and no items: how a PLC refuses the service. */
function refusedReadAnswer(ref: number, errorCode: number): Buffer {
  const b = Buffer.from([
    0x03, 0, 0, 21, 0x02, 0xf0, 0x80, 0x32, 0x03, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0x04, 0,
  ]);
  b.writeUInt16BE(ref, 11);
  b.writeUInt16BE(errorCode, 17);
  return b;
}

async function listen(server: net.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

export async function startFaultProxy(opts: {
  host: string;
  port: number;
  upstreamPort: number;
}): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let noAnswer = false;
  let refusal: number | undefined;
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(opts.upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (b) => {
      if (refusal === undefined && pending.length === 0) {
        upstream.write(b);
        return;
      }
      // whole TPKT frames only: a read job is answered here with the refusal, anything else goes on
      pending = Buffer.concat([pending, b]);
      for (;;) {
        const frame = nextTpkt(pending);
        if (frame === undefined) break;
        pending = pending.subarray(frame.length);
        const ref = refusal === undefined ? undefined : readJobReference(frame);
        if (ref !== undefined && refusal !== undefined) client.write(refusedReadAnswer(ref, refusal));
        else upstream.write(frame);
      }
    });
    upstream.on('data', (b) => {
      if (!noAnswer) client.write(b);
    });
    const drop = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  };
  let server = net.createServer(onConnection);
  const port = await listen(server, opts.port, opts.host);
  const resetAll = () => {
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
  };
  const closeServer = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    port,
    setNoAnswer(on) {
      noAnswer = on;
    },
    refuseReads(errorCode) {
      refusal = errorCode;
    },
    resetConnections: resetAll,
    async down() {
      const closed = closeServer();
      resetAll();
      await closed;
    },
    async up() {
      if (server.listening) return;
      server = net.createServer(onConnection);
      await listen(server, port, opts.host);
    },
    get connections() {
      return [...sockets].filter((s) => s.remotePort !== opts.upstreamPort).length;
    },
    async close() {
      const closed = closeServer();
      resetAll();
      await closed;
    },
  };
}
