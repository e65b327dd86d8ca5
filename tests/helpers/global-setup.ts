/**
 * vitest global setup: one private InfluxDB and one private Mosquitto for the whole run, on free loopback ports in
 * temp dirs (docs/architecture.md#tests-against-real-services). Tests read them through
 * `tests/helpers/services.ts`; they are stopped by PID in teardown, on SIGINT/SIGTERM, and (last resort) when
 * the runner exits.
 */
import type { TestProject } from 'vitest/node';
import { ensureDebianPackages } from '../../scripts/services/debian-packages.js';
import { type InfluxdService, startInfluxd } from '../../scripts/services/influxd.js';
import { killAllTrackedSync } from '../../scripts/services/managed-process.js';
import { type MosquittoService, startMosquitto } from '../../scripts/services/mosquitto.js';

export interface ProvidedMosquitto {
  url: string;
  username: string;
  password: string;
  /** every user with its password, the main one first (`reader`, `writer`, `device` are extra users) */
  users: { username: string; password: string }[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's InfluxDB 1.x (no auth) */
    influxUrl: string;
    influxVersion: string;
    mosquitto: ProvidedMosquitto;
  }
}

/**
 * Every Debian package the suite's real peers need, installed in one apt run on a fresh machine: InfluxDB and
 * Mosquitto (started here), socat (RTU pty pairs), mbpoll and python3-pymodbus (independent Modbus peers),
 * victoria-metrics (a real InfluxDB v2 write API), faketime (end-to-end runs at a fixed scenario time), systemd
 * (`systemd-analyze verify` of the service units). Chromium and its fonts are ensured by the browser tests.
 */
export const TEST_PACKAGES = [
  'influxdb',
  'mosquitto',
  'socat',
  'mbpoll',
  'python3-pymodbus',
  'victoria-metrics',
  'faketime',
  'systemd',
];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureDebianPackages(TEST_PACKAGES);
  let influx: InfluxdService | undefined;
  let broker: MosquittoService | undefined;

  const onSignal = (sig: NodeJS.Signals) => {
    killAllTrackedSync();
    // Our `once` listener is already removed here: take over the exit only when nobody else (vitest) handles it.
    if (process.listenerCount(sig) === 0) process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const teardown = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const results = await Promise.allSettled([influx?.stop(), broker?.stop()]);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, 'stopping the test services failed');
  };

  const [i, b] = await Promise.allSettled([
    startInfluxd(),
    startMosquitto({ extraUsers: [{ username: 'reader' }, { username: 'writer' }, { username: 'device' }] }),
  ]);
  if (i.status === 'fulfilled') influx = i.value;
  if (b.status === 'fulfilled') broker = b.value;
  if (!influx || !broker) {
    // stop whichever did start, then report why the other did not
    await teardown().catch(() => undefined);
    throw i.status === 'rejected' ? i.reason : b.status === 'rejected' ? b.reason : new Error('unreachable');
  }
  project.provide('influxUrl', influx.url);
  project.provide('influxVersion', influx.version);
  project.provide('mosquitto', {
    url: broker.url,
    username: broker.username,
    password: broker.password,
    users: broker.users.map((u) => ({ ...u })),
  });
  return teardown;
}
