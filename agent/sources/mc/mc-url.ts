import { PlantpulseError } from '../../../protocols/errors.js';

/** Where an MC port is. */
export interface McEndpoint {
  transport: 'tcp' | 'udp';
  host: string;
  port: number;
}

export class McUrlError extends PlantpulseError {
  constructor(url: string, reason: string) {
    super('MC_BAD_URL', `mc url ${JSON.stringify(url)}: ${reason}`);
  }
}

/**
 * `tcp://host:port` or `udp://host:port`; the port is required (an MC port is whatever number the engineer opened
 * in the PLC's settings). Every problem at once, as values.
 */
export function readMcUrl(url: string): { endpoint: McEndpoint } | { problems: string[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problems: ['is not a valid URL'] };
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'tcp' && scheme !== 'udp') return { problems: [`scheme ${scheme} is not tcp or udp`] };
  const problems: string[] = [];
  if (u.hostname === '') problems.push(`needs a host: ${scheme}://host:port`);
  if (u.port === '')
    problems.push(
      `needs the port opened for the MC protocol in the PLC's Ethernet settings: ${scheme}://host:port`,
    );
  if (u.pathname !== '' && u.pathname !== '/') problems.push('takes no path');
  if (problems.length > 0) return { problems };
  return {
    endpoint: { transport: scheme, host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) },
  };
}

export function parseMcUrl(url: string): McEndpoint {
  const r = readMcUrl(url);
  if ('problems' in r) throw new McUrlError(url, r.problems.join('; '));
  return r.endpoint;
}
