import { PlantpulseError } from '../../../protocols/errors.js';

const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export type Parity = (typeof PARITIES)[number];

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
  const problems: string[] = [];
  const path = decodeURIComponent(u.pathname);
  if (path === '' || path === '/') problems.push('needs a serial device: rtu:///dev/ttyUSB0');
  const q = u.searchParams;
  for (const key of q.keys()) {
    if (!['baud', 'parity', 'dataBits', 'stopBits'].includes(key))
      problems.push(`unknown serial option "${key}" (use baud, parity, dataBits, stopBits)`);
  }
  const baudText = q.get('baud') ?? '9600';
  const baudRate = Number(baudText);
  if (!/^[0-9]+$/.test(baudText) || baudRate < 50 || baudRate > 4_000_000)
    problems.push(`baud must be a number such as 9600, got "${baudText}"`);
  const parity = q.get('parity') ?? 'none';
  if (!(PARITIES as readonly string[]).includes(parity))
    problems.push(`parity must be one of ${PARITIES.join(', ')}, got "${parity}"`);
  const dataBits = Number(q.get('dataBits') ?? 8);
  if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8)
    problems.push(`dataBits must be 5, 6, 7 or 8, got "${q.get('dataBits')}"`);
  const stopBits = Number(q.get('stopBits') ?? 1);
  if (stopBits !== 1 && stopBits !== 2) problems.push(`stopBits must be 1 or 2, got "${q.get('stopBits')}"`);
  if (problems.length > 0) return { problems };
  // the checks above narrowed these; TypeScript cannot carry that across the early return
  const bits = dataBits as 5 | 6 | 7 | 8;
  const stops = stopBits as 1 | 2;
  return {
    endpoint: { kind: 'rtu', path, baudRate, parity: parity as Parity, dataBits: bits, stopBits: stops },
  };
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
