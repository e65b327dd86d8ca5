/**
 * The byte stream under a meter bus: a serial device (an RS-485 adapter, opened with its baud rate and parity) or a
 * TCP socket to a transparent serial-to-TCP converter (DTU). Listeners are attached before anything can emit, so an
 * unplugged adapter is an event, never a crash.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { PlantpulseError } from '../../../protocols/errors.js';
import { ioDeadline } from '../serial-line/io-deadline.js';
import type { Dlt645Endpoint } from './dlt645-url.js';

export class Dlt645ConnectError extends PlantpulseError {
  constructor(bus: string, cause: unknown) {
    super(
      'DLT645_CONNECT',
      `cannot open meter bus ${bus}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        retryable: true,
      },
    );
  }
}

export interface BusLink {
  write(bytes: Uint8Array): void;
  readonly open: boolean;
  close(): void;
}

export interface BusLinkEvents {
  onData(chunk: Buffer): void;
  /** the port or socket failed or closed: the link is unusable until opened again */
  onDown(reason: string): void;
}

interface SerialPortCtor {
  new (opts: {
    path: string;
    baudRate: number;
    parity: string;
    dataBits: number;
    stopBits: number;
    autoOpen: boolean;
  }): Duplex & {
    open(cb: (err: Error | null) => void): void;
    close(cb: (err: Error | null) => void): void;
    isOpen: boolean;
  };
}

const require = createRequire(import.meta.url);

function serialPortClass(): SerialPortCtor {
  try {
    return (require('serialport') as { SerialPort: SerialPortCtor }).SerialPort;
  } catch (err) {
    throw new Error('serial support is missing: the optional dependency serialport is not installed', {
      cause: err,
    });
  }
}

/** Opens the link within `timeoutMs`; rejects with Dlt645ConnectError. */
export async function openBusLink(
  key: string,
  endpoint: Dlt645Endpoint,
  events: BusLinkEvents,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<BusLink> {
  let stream: Duplex;
  let openIt: (cb: (err: Error | null) => void) => void;
  let closeIt: () => void;
  try {
    if (endpoint.kind === 'tcp') {
      const socket = new net.Socket();
      stream = socket;
      openIt = (cb) => {
        socket.once('connect', () => cb(null));
        socket.connect({ host: endpoint.host, port: endpoint.port });
      };
      closeIt = () => socket.destroy();
    } else {
      const SerialPort = serialPortClass();
      const port = new SerialPort({
        path: endpoint.path,
        baudRate: endpoint.baudRate,
        parity: endpoint.parity,
        dataBits: endpoint.dataBits,
        stopBits: endpoint.stopBits,
        autoOpen: false,
      });
      stream = port;
      openIt = (cb) => port.open(cb);
      closeIt = () => {
        if (port.isOpen) port.close(() => {});
        else port.destroy();
      };
    }
  } catch (err) {
    throw new Dlt645ConnectError(key, err);
  }
  let down = false;
  let opened = false;
  let failOpen: ((err: Error) => void) | undefined;
  const markDown = (reason: string) => {
    if (down) return;
    down = true;
    failOpen?.(new Error(reason));
    if (opened) events.onDown(reason);
  };
  stream.on('error', (err: Error) => markDown(`error: ${err.message}`));
  stream.on('close', () => markDown('closed'));
  stream.on('data', (chunk: Buffer) => events.onData(chunk));

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      cancelDeadline();
      signal.removeEventListener('abort', onAbort);
      failOpen = undefined;
      if (err === null) return resolve();
      closeIt();
      reject(new Dlt645ConnectError(key, err));
    };
    const onAbort = () => finish(new Error('aborted'));
    const cancelDeadline = ioDeadline(timeoutMs, () =>
      finish(new Error(`no connection within ${timeoutMs} ms`)),
    );
    failOpen = (err) => finish(err);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    openIt(finish);
  });
  opened = true;
  return {
    write: (bytes) => {
      if (!down) stream.write(bytes);
    },
    get open() {
      return !down;
    },
    close: () => {
      down = true;
      closeIt();
    },
  };
}
