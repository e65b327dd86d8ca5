/**
 * A TCP relay in front of the snap7 server: it listens on port 0 (snap7 only takes a fixed port) and injects the
 * faults a PLC network shows — answers that never come, connections reset, a PLC that is gone.
 */
import net from 'node:net';

export interface FaultProxy {
  readonly port: number;
  /** swallow every answer from the PLC while on (requests still reach it) */
  setNoAnswer(on: boolean): void;
  /** reset every open connection (TCP RST) */
  resetConnections(): void;
  /** stop listening and reset every connection: the PLC is gone */
  down(): Promise<void>;
  /** listen again on the same port */
  up(): Promise<void>;
  readonly connections: number;
  close(): Promise<void>;
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
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(opts.upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (b) => upstream.write(b));
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
