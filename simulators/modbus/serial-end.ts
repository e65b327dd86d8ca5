/** Opens a serial device (a socat pty end or a real adapter) as a byte stream for the RTU simulator. */
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

interface SerialPortCtor {
  new (opts: {
    path: string;
    baudRate: number;
    autoOpen: boolean;
  }): Duplex & {
    open(cb: (err: Error | null) => void): void;
    close(cb: (err: Error | null) => void): void;
    isOpen: boolean;
  };
}

const require = createRequire(import.meta.url);

function loadSerialPort(): SerialPortCtor {
  try {
    return (require('serialport') as { SerialPort: SerialPortCtor }).SerialPort;
  } catch (err) {
    throw new Error('serial support needs the serialport package (an optional dependency of modbus-serial)', {
      cause: err,
    });
  }
}

export async function openSerialEnd(
  path: string,
  baudRate: number,
): Promise<{ stream: Duplex; close(): Promise<void> }> {
  const SerialPort = loadSerialPort();
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  port.on('error', () => {
    // reported through the RTU server's stream error handler; never an unhandled 'error' event
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return {
    stream: port,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
