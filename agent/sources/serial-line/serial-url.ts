/**
 * The serial options of an `rtu:///dev/ttyUSB0?baud=…&parity=…&dataBits=…&stopBits=…` URL, shared by every protocol
 * on RS-485/RS-232 (Modbus RTU, DL/T 645). Each protocol gives its own defaults; every problem comes back at once.
 */
export const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export type Parity = (typeof PARITIES)[number];

export interface SerialOptions {
  path: string;
  baudRate: number;
  parity: Parity;
  dataBits: 5 | 6 | 7 | 8;
  stopBits: 1 | 2;
}

export function readSerialOptions(
  u: URL,
  defaults: { baud: number; parity: Parity },
): { options: SerialOptions } | { problems: string[] } {
  const problems: string[] = [];
  const path = decodeURIComponent(u.pathname);
  if (path === '' || path === '/') problems.push('needs a serial device: rtu:///dev/ttyUSB0');
  const q = u.searchParams;
  for (const key of q.keys()) {
    if (!['baud', 'parity', 'dataBits', 'stopBits'].includes(key))
      problems.push(`unknown serial option "${key}" (use baud, parity, dataBits, stopBits)`);
  }
  const baudText = q.get('baud') ?? String(defaults.baud);
  const baudRate = Number(baudText);
  if (!/^[0-9]+$/.test(baudText) || baudRate < 50 || baudRate > 4_000_000)
    problems.push(`baud must be a number such as ${defaults.baud}, got "${baudText}"`);
  const parity = q.get('parity') ?? defaults.parity;
  if (!(PARITIES as readonly string[]).includes(parity))
    problems.push(`parity must be one of ${PARITIES.join(', ')}, got "${parity}"`);
  const dataBits = Number(q.get('dataBits') ?? 8);
  if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8)
    problems.push(`dataBits must be 5, 6, 7 or 8, got "${q.get('dataBits')}"`);
  const stopBits = Number(q.get('stopBits') ?? 1);
  if (stopBits !== 1 && stopBits !== 2) problems.push(`stopBits must be 1 or 2, got "${q.get('stopBits')}"`);
  if (problems.length > 0) return { problems };
  // the checks above narrowed these; TypeScript cannot carry that across the early return
  return {
    options: {
      path,
      baudRate,
      parity: parity as Parity,
      dataBits: dataBits as 5 | 6 | 7 | 8,
      stopBits: stopBits as 1 | 2,
    },
  };
}
