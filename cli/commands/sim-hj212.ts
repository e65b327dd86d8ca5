import { startHj212Datalogger } from '../../simulators/hj212/datalogger.js';
import { parse } from '../args.js';
import { closeOnSignal } from '../lifecycle.js';
import type { Command } from './command.js';

/**
 * `plantpulse sim hj212`: a simulated HJ 212-2017 datalogger with a boiler stack and a wastewater outlet that
 * connects to a platform (the agent's HJ 212 listener) and sends real-time, minute and hourly data. Prints one JSON
 * line with where it sends and its outlets; runs until SIGINT/SIGTERM, reconnecting when the platform goes away.
 */
export const simHj212Command: Command = {
  summary: 'a simulated HJ 212 datalogger (boiler stack and wastewater outlet)',
  usage: [
    'plantpulse sim hj212 --port 9212 [--host 127.0.0.1] [--stack-mn 88888880000001] [--water-mn 88888880000002]',
    '                     [--password 123456] [--realtime 30s] [--minute 60s] [--hour 3600s] [--flag N]',
    '',
    '  --host, --port  where the agent listens (its hj212.listen)',
    '  --stack-mn      MN of the boiler stack (SO2, NOx, particulates, O2, flow, temperature); "" leaves it out',
    '  --water-mn      MN of the wastewater outlet (COD, ammonia nitrogen, pH, flow); "" leaves it out',
    '  --password      the PW both outlets send',
    '  --realtime, --minute, --hour   upload intervals in seconds (30, 60, 3600; 0 turns one off)',
    '  --flag          the data flag on every value (N normal; C calibration, D fault … to see quality change)',
  ].join('\n'),
  async run(argv, io) {
    const args = parse(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'stack-mn': { type: 'string' },
      'water-mn': { type: 'string' },
      password: { type: 'string' },
      realtime: { type: 'string' },
      minute: { type: 'string' },
      hour: { type: 'string' },
      flag: { type: 'string' },
    });
    const seconds = (k: string, dflt: number): number => {
      const v = 'error' in args ? undefined : args.values[k];
      return v === undefined ? dflt : Number(String(v).replace(/s$/, ''));
    };
    const port = 'error' in args ? Number.NaN : Number(args.values['port']);
    const every = [seconds('realtime', 30), seconds('minute', 60), seconds('hour', 3600)];
    if ('error' in args || !Number.isInteger(port) || port <= 0 || every.some((s) => !(s >= 0))) {
      io.stderr.write(
        `${'error' in args ? args.error : '--port (the agent’s listen port) and intervals in seconds are numbers'}\nusage: ${this.usage}\n`,
      );
      return 2;
    }
    const password = (args.values['password'] as string | undefined) ?? '123456';
    const stackMn = (args.values['stack-mn'] as string | undefined) ?? '88888880000001';
    const waterMn = (args.values['water-mn'] as string | undefined) ?? '88888880000002';
    const outlets = [
      ...(stackMn === '' ? [] : [{ mn: stackMn, password, profile: 'boiler-stack' as const }]),
      ...(waterMn === '' ? [] : [{ mn: waterMn, password, profile: 'wastewater' as const }]),
    ];
    const host = (args.values['host'] as string | undefined) ?? '127.0.0.1';
    const flag = args.values['flag'] as string | undefined;
    const [realtime = 30, minute = 60, hour = 3600] = every;
    const logger = await startHj212Datalogger({
      host,
      port,
      outlets,
      realtimeEveryMs: realtime * 1000,
      minuteEveryMs: minute * 1000,
      hourEveryMs: hour * 1000,
      ...(flag === undefined ? {} : { flag }),
    });
    io.stdout.write(
      `${JSON.stringify({ event: 'started', protocol: 'hj212', platform: `${host}:${port}`, outlets: outlets.map((o) => ({ mn: o.mn, profile: o.profile })) })}\n`,
    );
    return closeOnSignal(() => logger.close());
  },
};
