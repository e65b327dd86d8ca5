/**
 * A small in-process TCP proxy for fault injection (toxiproxy is not in Debian): forwards 127.0.0.1:<port> to a
 * target, and on command
 *  - `blackhole()`: keeps every connection open but silently swallows bytes both ways, and holds new connections
 *    without dialling the target (a cut cable or a dead NAT: nothing is refused, nothing arrives);
 *  - `refuse()`: new connections are accepted and immediately reset; open ones are reset;
 *  - `reset()`: resets (TCP RST) every open connection now, leaving the mode as it is;
 *  - `pass()`: forwards again (new connections only: a blackholed connection stays dead until reset).
 * Listens on a free port only, and only on loopback.
 */
import net from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'refuse';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  readonly mode: ProxyMode;
  /** connections accepted, and how many are open now */
  stats(): { accepted: number; open: number; bytesUp: number; bytesDown: number };
  pass(): void;
  blackhole(): void;
  refuse(): void;
  reset(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** set when the pair was blackholed: bytes are dropped from then on */
  dead: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const pairs = new Set<Pair>();
  const counters = { accepted: 0, bytesUp: 0, bytesDown: 0 };

  const destroyPair = (p: Pair, rst: boolean) => {
    pairs.delete(p);
    if (rst) {
      p.client.resetAndDestroy();
      p.upstream?.resetAndDestroy();
    } else {
      p.client.destroy();
      p.upstream?.destroy();
    }
  };

  const server = net.createServer((client) => {
    counters.accepted++;
    client.on('error', () => undefined);
    const pair: Pair = { client, upstream: undefined, dead: mode === 'blackhole' };
    pairs.add(pair);
    client.on('close', () => destroyPair(pair, false));
    if (mode === 'refuse') {
      destroyPair(pair, true);
      return;
    }
    // Bytes arriving while blackholed are swallowed; a held connection never dials the target.
    client.on('data', (chunk: Buffer) => {
      if (pair.dead || !pair.upstream) return;
      counters.bytesUp += chunk.length;
      pair.upstream.write(chunk);
    });
    if (pair.dead) return;
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => destroyPair(pair, true));
    upstream.on('close', () => destroyPair(pair, false));
    upstream.on('data', (chunk: Buffer) => {
      if (pair.dead) return;
      counters.bytesDown += chunk.length;
      client.write(chunk);
    });
    // bytes the client sent before the upstream connected are buffered by the socket until then
    client.pause();
    upstream.once('connect', () => client.resume());
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return mode;
    },
    stats: () => ({ ...counters, open: pairs.size }),
    pass() {
      mode = 'pass';
    },
    blackhole() {
      mode = 'blackhole';
      for (const p of pairs) p.dead = true;
    },
    refuse() {
      mode = 'refuse';
      for (const p of [...pairs]) destroyPair(p, true);
    },
    reset() {
      for (const p of [...pairs]) destroyPair(p, true);
    },
    close() {
      for (const p of [...pairs]) destroyPair(p, true);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
