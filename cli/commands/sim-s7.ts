import { PlantpulseError } from '../../protocols/errors.js';
import { S7_PROFILES, type S7ProfileName, s7AgentPoints } from '../../simulators/s7/s7-profile.js';
import { parse } from '../args.js';
import { closeOnSignal } from '../lifecycle.js';
import type { Command } from './command.js';

/**
 * `plantpulse sim s7`: a simulated Siemens S7 PLC (node-snap7's server) with the press or CNC profile of the
 * scenario. Prints one JSON line with where it listens and the agent `variables:` points that read it; runs until
 * SIGINT/SIGTERM. Without node-snap7 (an optional dependency) it says so and exits 1.
 */
export const simS7Command: Command = {
  summary: 'a simulated Siemens S7 PLC (press or CNC)',
  usage: [
    'plantpulse sim s7 [--profile press|cnc] [--host 127.0.0.1] [--port 0] [--pdu 240]',
    '',
    `  --profile  ${Object.keys(S7_PROFILES).join(' or ')} (default press): DB1/DB2 machine data, plus M, I, Q, T, C for the press`,
    '  --port     TCP port (0: any free port; the port is printed); a real PLC listens on 102',
    '  --pdu      the largest PDU the PLC accepts (a real S7-1200 says 240; default: snap7 decides)',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      profile: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      pdu: { type: 'string' },
    });
    if ('error' in args) {
      io.stderr.write(`${args.error}\nusage: ${this.usage}\n`);
      return 2;
    }
    const name = String(args.values['profile'] ?? 'press');
    if (!Object.hasOwn(S7_PROFILES, name)) {
      io.stderr.write(`unknown S7 profile "${name}"; profiles: ${Object.keys(S7_PROFILES).join(', ')}\n`);
      return 2;
    }
    const port = Number(args.values['port'] ?? 0);
    const pdu = args.values['pdu'] === undefined ? undefined : Number(args.values['pdu']);
    if (
      !Number.isInteger(port) ||
      (pdu !== undefined && !(Number.isInteger(pdu) && pdu >= 240 && pdu <= 960))
    ) {
      io.stderr.write(`--port takes a port number, --pdu 240-960\nusage: ${this.usage}\n`);
      return 2;
    }
    const profile = S7_PROFILES[name as S7ProfileName]();
    const { startS7Simulator } = await import('../../simulators/s7/s7-simulator.js');
    let sim: Awaited<ReturnType<typeof startS7Simulator>>;
    try {
      sim = await startS7Simulator({
        profile,
        host: String(args.values['host'] ?? '127.0.0.1'),
        port,
        ...(pdu === undefined ? {} : { pduSize: pdu }),
      });
    } catch (err) {
      if (err instanceof PlantpulseError) {
        io.stderr.write(`${err.code}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    io.stdout.write(
      `${JSON.stringify({ event: 'listening', protocol: 's7', profile: name, host: sim.host, port: sim.port, points: s7AgentPoints(profile) })}\n`,
    );
    return closeOnSignal(() => sim.close());
  },
};
