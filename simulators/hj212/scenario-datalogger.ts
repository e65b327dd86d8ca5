/**
 * The HJ 212 dataloggers of a plant scenario (`dataloggers:` in the scenario file): each is a simulated datalogger
 * (datalogger.ts) that dials the agent's HJ 212 listener on a port chosen here, and each of its outlets becomes an
 * agent device (`hj212:` with the MN and password, `pollutants:` from the outlet's profile). The datalogger keeps
 * dialling until the agent listens, so it can start before the agent.
 */
import net from 'node:net';
import { type Hj212Datalogger, startHj212Datalogger } from './datalogger.js';
import { OUTLET_PROFILES, type OutletProfile } from './outlet-profiles.js';

export interface ScenarioDatalogger {
  id: string;
  /** where the agent listens for it (default: a free port on the simulators' host) */
  port?: number;
  outlets: { id: string; mn: string; password: string; profile: OutletProfile; line?: string }[];
  /** upload intervals (default 30 s real-time, 60 s minute, 1 h hourly) */
  realtimeEvery?: number;
  minuteEvery?: number;
}

export interface DataloggerOutletEndpoint {
  id: string;
  kind: 'stack' | 'wastewater-outlet';
  line?: string;
  protocol: 'hj212';
  /** the agent's listen address (host:port) */
  url: string;
  mn: string;
  password: string;
  pollutants: string[];
}

async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const a = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof a !== 'object' || a === null) throw new Error('no port');
  return a.port;
}

export async function startScenarioDatalogger(
  d: ScenarioDatalogger,
  host: string,
): Promise<{ logger: Hj212Datalogger; endpoints: DataloggerOutletEndpoint[] }> {
  const port = d.port ?? (await freePort(host));
  const logger = await startHj212Datalogger({
    host,
    port,
    outlets: d.outlets.map((o) => ({ mn: o.mn, password: o.password, profile: o.profile })),
    realtimeEveryMs: d.realtimeEvery ?? 30_000,
    minuteEveryMs: d.minuteEvery ?? 60_000,
    hourEveryMs: 3_600_000,
    reconnectMs: 2_000,
    // the last hour's and minute's data at once, so a fresh dashboard has history
    sendOnConnect: ['realtime', 'minute', 'hour'],
  });
  const endpoints = d.outlets.map(
    (o): DataloggerOutletEndpoint => ({
      id: o.id,
      kind: o.profile === 'boiler-stack' ? 'stack' : 'wastewater-outlet',
      ...(o.line === undefined ? {} : { line: o.line }),
      protocol: 'hj212',
      url: `${host}:${port}`,
      mn: o.mn,
      password: o.password,
      pollutants: OUTLET_PROFILES[o.profile].factors.map((f) => f.code),
    }),
  );
  return { logger, endpoints };
}
