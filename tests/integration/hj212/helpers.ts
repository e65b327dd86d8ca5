import { resolveDeviceFor } from '../../../agent/config/load-agent-config.js';
import { SharedResources } from '../../../agent/sources/component.js';
import type { Hj212Source } from '../../../agent/sources/hj212/hj212-source.js';
import { hj212 } from '../../../agent/sources/hj212/index.js';
import { encodePacket, uploadSegment } from '../../../protocols/hj212/index.js';
import type { Sample } from '../../../protocols/sample.js';
import { until } from '../../helpers/until.js';
import { captureLogger } from '../modbus/helpers.js';

export const STACK_MN = '88888880000001';
export const WATER_MN = '88888880000002';

/** An HJ 212 device, resolved as the agent's loader resolves it from a file. */
export function hj212Device(
  id: string,
  mn: string,
  pollutants: string[],
  extra: Record<string, unknown> = {},
) {
  return resolveDeviceFor(hj212, {
    id,
    hj212: { listen: '127.0.0.1:0', mn, password: '123456', ...extra },
    pollutants,
  });
}

export const STACK_CODES = ['a21026', 'a21002', 'a34013', 'a19001', 'a00000', 'a01012'];
export const WATER_CODES = ['w01018', 'w21003', 'w01001', 'w00000'];

/** A running source: what it emitted, whether it reported the datalogger lost, and how to restart it. */
export interface Running {
  source: Hj212Source;
  samples: Sample[];
  lost: Error[];
  /** connects (waiting for the datalogger) and subscribes */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The stack and wastewater devices of one agent (one shared listener), created through the component. */
export async function twoOutlets(extra: Record<string, unknown> = {}) {
  const { log, lines } = captureLogger();
  const deps = { log, shared: new SharedResources() };
  const make = async (id: string, mn: string, codes: string[]): Promise<Running> => {
    const [source] = (await hj212.create(hj212Device(id, mn, codes, extra), deps)) as Hj212Source[];
    if (source === undefined) throw new Error('no source');
    const samples: Sample[] = [];
    const lost: Error[] = [];
    let session = new AbortController();
    return {
      source,
      samples,
      lost,
      async start() {
        session = new AbortController();
        await source.connect(session.signal);
        await source.subscribe(
          (s) => samples.push(...s),
          session.signal,
          (e) => lost.push(e),
        );
      },
      async stop() {
        session.abort();
        await source.close();
      },
    };
  };
  const stack = await make('boiler-1-stack', STACK_MN, STACK_CODES);
  const water = await make('ww-outlet', WATER_MN, WATER_CODES);
  return { stack, water, log, lines };
}

/** Starts both (their connects wait for the datalogger) and returns the listener's port once bound. */
export async function listening(...rs: Running[]): Promise<{ port: number; started: Promise<unknown> }> {
  const started = Promise.all(rs.map((r) => r.start()));
  const first = rs[0];
  if (first === undefined) throw new Error('nothing to start');
  const port = await until('the listener bound', () => first.source.listener.port, 10_000, 10);
  return { port, started };
}

/** One real-time upload (2011, SO2 77.7) of datalogger `mn`, and the same packet with its CRC broken (0000). */
export function uploadWithBrokenCrc(mn: string): { good: Buffer; bad: Buffer } {
  const good = Buffer.from(
    encodePacket(
      uploadSegment({
        qn: '20261206103000001',
        st: '31',
        command: '2011',
        pw: '123456',
        mn,
        reply: true,
        dataTime: '20261206103000',
        factors: [{ code: 'a21026', values: { Rtd: 77.7 }, flag: 'N' }],
      }),
    ),
  );
  const bad = Buffer.from(good);
  bad.write('0000', bad.length - 6, 'latin1');
  return { good, bad };
}
