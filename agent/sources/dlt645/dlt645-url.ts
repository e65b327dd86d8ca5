import { PlantpulseError } from '../../../protocols/errors.js';
import { readSerialOptions, type SerialOptions } from '../serial-line/serial-url.js';

/** Where a meter bus is: a serial device (RS-485 adapter) or a transparent serial-to-TCP converter (DTU). */
export type Dlt645Endpoint = { kind: 'tcp'; host: string; port: number } | ({ kind: 'rtu' } & SerialOptions);

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
  const serial = readSerialOptions(u, { baud: 2400, parity: 'even' });
  return 'problems' in serial ? serial : { endpoint: { kind: 'rtu', ...serial.options } };
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
