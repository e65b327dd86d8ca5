import { PlantpulseError } from '../../../protocols/errors.js';

const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export type Parity = (typeof PARITIES)[number];

/**
 * Where a Modbus device is: parsed from `tcp://`, `rtu://` or `rtu+tcp://` URLs (docs/modbus.md#connecting).
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
 */
export function parseModbusUrl(url: string): ModbusEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ModbusUrlError(url, 'not a URL');
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme === 'tcp' || scheme === 'rtu+tcp') {
    if (u.hostname === '') throw new ModbusUrlError(url, 'missing host');
    const port = u.port === '' ? (scheme === 'tcp' ? 502 : 4001) : Number(u.port);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    return { kind: scheme, host, port };
  }
  if (scheme === 'rtu') {
    const path = decodeURIComponent(u.pathname);
    if (path === '' || path === '/') throw new ModbusUrlError(url, 'missing serial device path');
    const q = u.searchParams;
    for (const key of q.keys()) {
      if (!['baud', 'parity', 'dataBits', 'stopBits'].includes(key)) {
        throw new ModbusUrlError(url, `unknown option ${key} (baud, parity, dataBits, stopBits)`);
      }
    }
    const baudRate = Number(q.get('baud') ?? 9600);
    if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) {
      throw new ModbusUrlError(url, `baud ${q.get('baud')} is not a baud rate`);
    }
    const parity = (q.get('parity') ?? 'none') as Parity;
    if (!PARITIES.includes(parity))
      throw new ModbusUrlError(url, `parity must be one of ${PARITIES.join(', ')}`);
    const dataBits = Number(q.get('dataBits') ?? 8);
    if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8) {
      throw new ModbusUrlError(url, 'dataBits must be 5, 6, 7 or 8');
    }
    const stopBits = Number(q.get('stopBits') ?? 1);
    if (stopBits !== 1 && stopBits !== 2) throw new ModbusUrlError(url, 'stopBits must be 1 or 2');
    return { kind: 'rtu', path, baudRate, parity, dataBits, stopBits };
  }
  throw new ModbusUrlError(url, `scheme ${scheme} is not tcp, rtu or rtu+tcp`);
}

/** The identity of a line: devices whose endpoints share this key share one connection and one queue. */
export function lineKey(e: ModbusEndpoint): string {
  return e.kind === 'rtu' ? `rtu:${e.path}` : `${e.kind}:${e.host}:${e.port}`;
}
