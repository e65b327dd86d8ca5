import { PlantpulseError } from '../../../protocols/errors.js';
import { type Parity, readSerialOptions } from '../serial-line/serial-url.js';

export type { Parity };

/**
 * Where a Modbus device is: parsed from `tcp://`, `rtu://` or `rtu+tcp://` URLs (agent/sources/modbus/README.md#connecting).
 */
export type ModbusEndpoint =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rtu+tcp'; host: string; port: number }
  | {
      kind: 'rtu';
      path: string;
      baudRate: number;
      parity: Parity;
      dataBits: 5 | 6 | 7 | 8;
      stopBits: 1 | 2;
    };

export class ModbusUrlError extends PlantpulseError {
  constructor(url: string, reason: string) {
    super('MODBUS_BAD_URL', `modbus url ${JSON.stringify(url)}: ${reason}`);
  }
}

/**
 * Parses a device URL. `rtu:///dev/ttyUSB0?baud=19200&parity=even&dataBits=8&stopBits=1`; defaults 9600 8N1 (the
 * Modbus serial spec's default is 8E1; most field devices ship 9600 8N1 — set parity explicitly when they do not).
 * Every problem at once, as values: the component check reports them; parseModbusUrl throws them.
 */
export function readModbusUrl(url: string): { endpoint: ModbusEndpoint } | { problems: string[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problems: ['is not a valid URL'] };
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme === 'tcp' || scheme === 'rtu+tcp') {
    if (u.hostname === '') return { problems: [`needs a host: ${scheme}://host:port`] };
    const port = u.port === '' ? (scheme === 'tcp' ? 502 : 4001) : Number(u.port);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    return { endpoint: { kind: scheme, host, port } };
  }
  if (scheme !== 'rtu') return { problems: [`scheme ${scheme} is not tcp, rtu or rtu+tcp`] };
  const serial = readSerialOptions(u, { baud: 9600, parity: 'none' });
  return 'problems' in serial ? serial : { endpoint: { kind: 'rtu', ...serial.options } };
}

/** readModbusUrl for a URL the check accepted: the endpoint, or ModbusUrlError with every problem. */
export function parseModbusUrl(url: string): ModbusEndpoint {
  const r = readModbusUrl(url);
  if ('problems' in r) throw new ModbusUrlError(url, r.problems.join('; '));
  return r.endpoint;
}

/** The identity of a line: devices whose endpoints share this key share one connection and one queue. */
export function lineKey(e: ModbusEndpoint): string {
  return e.kind === 'rtu' ? `rtu:${e.path}` : `${e.kind}:${e.host}:${e.port}`;
}
