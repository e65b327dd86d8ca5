import { isAddress } from '../../protocols/dlt645/frame.js';
import { startDlt645Simulator } from '../../simulators/dlt645/dlt645-simulator.js';
import type { SimMeterSpec } from '../../simulators/dlt645/sim-meter.js';
import { openPtyPair, type PtyPair } from '../../simulators/modbus/pty-pair.js';
import { parse } from '../args.js';
import { closeOnSignal } from '../lifecycle.js';
import type { Command } from './command.js';

/**
 * `plantpulse sim dlt645`: a bus of simulated DL/T 645 meters, over TCP (what a transparent DTU gives) or a serial
 * line (`--pty` makes a socat pty pair and prints the end the agent opens). Prints one JSON line with the URL and
 * the meters; runs until SIGINT/SIGTERM.
 */
export const simDlt645Command: Command = {
  summary: 'a bus of simulated DL/T 645 electricity meters',
  usage: [
    'plantpulse sim dlt645 [--meters 000012345678,000012345679] [--v1997 000000000001] [--power 40]',
    '                      [--host 127.0.0.1] [--port 0 | --pty | --serial /dev/pts/N]',
    '',
    '  --meters   12-digit addresses of DL/T 645-2007 meters on the bus (default 000012345678)',
    '  --v1997    addresses of meters speaking the older DL/T 645-1997',
    '  --power    constant kW each meter measures (default: 40 kW swinging ±10 kW over 10 minutes)',
    '  --pty      serve on a new socat pty pair (2400 8E1); the printed URL is the end the agent opens',
    '  --serial   serve on this serial device (one end of your own pty pair, or a real adapter)',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      meters: { type: 'string' },
      v1997: { type: 'string' },
      power: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      pty: { type: 'boolean' },
      serial: { type: 'string' },
    });
    if ('error' in args) {
      io.stderr.write(`${args.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const list = (k: string, dflt: string) =>
      String(args.values[k] ?? dflt)
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
    const v2007 = list('meters', args.values['v1997'] === undefined ? '000012345678' : '');
    const v1997 = list('v1997', '');
    const bad = [...v2007, ...v1997].filter((a) => !/^[0-9]{12}$/.test(a) || !isAddress(a));
    const power = args.values['power'] === undefined ? undefined : Number(args.values['power']);
    const port = Number(args.values['port'] ?? 0);
    if (bad.length > 0 || (power !== undefined && !Number.isFinite(power)) || !Number.isInteger(port)) {
      io.stderr.write(
        `${bad.length > 0 ? `meter addresses are 12 digits: ${bad.join(', ')}` : '--power and --port take numbers'}\nusage: ${this.usage}\n`,
      );
      return 2;
    }
    const spec = (address: string, version: 2007 | 1997): SimMeterSpec => ({
      address,
      version,
      ...(power === undefined ? {} : { power }),
    });
    const meters = [...v2007.map((a) => spec(a, 2007)), ...v1997.map((a) => spec(a, 1997))];
    const pair: PtyPair | undefined = args.values['pty'] === true ? await openPtyPair() : undefined;
    const serialPath = pair?.b ?? (args.values['serial'] as string | undefined);
    const sim = await startDlt645Simulator(
      serialPath === undefined
        ? { transport: 'tcp', host: (args.values['host'] as string | undefined) ?? '127.0.0.1', port, meters }
        : { transport: 'rtu', serial: { path: serialPath, baudRate: 2400 }, meters },
    );
    const url = pair === undefined ? sim.url : `rtu://${pair.a}?baud=2400&parity=even`;
    io.stdout.write(
      `${JSON.stringify({ event: 'listening', protocol: 'dlt645', url, meters: meters.map((m) => ({ address: m.address, version: m.version })) })}\n`,
    );
    return closeOnSignal(() => sim.close().then(() => pair?.close()));
  },
};
