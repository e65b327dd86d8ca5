import { PlantpulseError } from '../../../protocols/errors.js';

const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export type Parity = (typeof PARITIES)[number];

/** Where a meter bus is: a serial device (RS-485 adapter) or a transparent serial-to-TCP converter (DTU). */
export type Dlt645Endpoint =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rtu'; path: string; baudRate: number; parity: Parity; dataBits: 7 | 8; stopBits: 1 | 2 };

export class Dlt645UrlError extends PlantpulseError {
  constructor(url: string, reason: string) {
    super('DLT645_BAD_URL', `dlt645 url ${JSON.stringify(url)}: ${reason}`);
  }
}

/**
 * `rtu:///dev/ttyUSB0?baud=2400&parity=even&dataBits=8&stopBits=1` (defaults: 2400 8E1, what DL/T 645 meters ship
 * with) or `tcp://host:port` (a DTU that passes bytes through; the port is required: DTUs have no standard one).
 * Every problem at once, as values.
 */
export function readDlt645Url(url: string): { endpoint: Dlt645Endpoint } | { problems: string[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problems: ['is not a valid URL'] };
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme === 'tcp') {
    if (u.hostname === '') return { problems: ['needs a host: tcp://host:port'] };
    if (u.port === '') return { problems: ["needs the DTU's port: tcp://host:port"] };
    return { endpoint: { kind: 'tcp', host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) } };
  }
  if (scheme !== 'rtu') return { problems: [`scheme ${scheme} is not rtu or tcp`] };
  const problems: string[] = [];
  const path = decodeURIComponent(u.pathname);
  if (path === '' || path === '/') problems.push('needs a serial device: rtu:///dev/ttyUSB0');
  const q = u.searchParams;
  for (const key of q.keys()) {
    if (!['baud', 'parity', 'dataBits', 'stopBits'].includes(key))
      problems.push(`unknown serial option "${key}" (use baud, parity, dataBits, stopBits)`);
  }
  const baudText = q.get('baud') ?? '2400';
  const baudRate = Number(baudText);
  if (!/^[0-9]+$/.test(baudText) || baudRate < 300 || baudRate > 115_200)
    problems.push(`baud must be a number such as 2400, got "${baudText}"`);
  const parity = q.get('parity') ?? 'even';
  if (!(PARITIES as readonly string[]).includes(parity))
    problems.push(`parity must be one of ${PARITIES.join(', ')}, got "${parity}"`);
  const dataBits = Number(q.get('dataBits') ?? 8);
  if (dataBits !== 7 && dataBits !== 8) problems.push(`dataBits must be 7 or 8, got "${q.get('dataBits')}"`);
  const stopBits = Number(q.get('stopBits') ?? 1);
  if (stopBits !== 1 && stopBits !== 2) problems.push(`stopBits must be 1 or 2, got "${q.get('stopBits')}"`);
  if (problems.length > 0) return { problems };
  return {
    endpoint: {
      kind: 'rtu',
      path,
      baudRate,
      parity: parity as Parity,
      dataBits: dataBits as 7 | 8,
      stopBits: stopBits as 1 | 2,
    },
  };
}

export function parseDlt645Url(url: string): Dlt645Endpoint {
  const r = readDlt645Url(url);
  if ('problems' in r) throw new Dlt645UrlError(url, r.problems.join('; '));
  return r.endpoint;
}

/** Meters whose endpoints share this key share one bus: one connection, one transaction at a time. */
export function busKey(e: Dlt645Endpoint): string {
  return e.kind === 'rtu' ? `rtu:${e.path}` : `tcp:${e.host}:${e.port}`;
}
