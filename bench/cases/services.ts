/**
 * The real services the pipeline cases share within one `npm run bench`: one influxd (Debian 1.x) and one Mosquitto
 * with a user per role, started on first use (free loopback ports, temp dirs) and stopped by `stopBenchServices()`.
 */

import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import {
  ensureDebianPackages,
  type InfluxdService,
  type MosquittoService,
  type MosquittoUser,
  startInfluxd,
  startMosquitto,
} from '../../scripts/services/index.js';

export interface BenchServices {
  influx: InfluxdService;
  mosquitto: MosquittoService;
  user(name: 'agent' | 'ingest0' | 'ingest1' | 'bench'): MosquittoUser;
}

/** Debian packages the bench runs (installed when missing and root, as tests/helpers/global-setup.ts does) */
export const BENCH_PACKAGES = ['influxdb', 'mosquitto'];

let started: Promise<BenchServices> | undefined;

export function benchServices(): Promise<BenchServices> {
  started ??= (async () => {
    await ensureDebianPackages(BENCH_PACKAGES);
    const [influx, mosquitto] = await Promise.all([
      startInfluxd({ readyTimeoutMs: 60_000 }),
      startMosquitto({
        readyTimeoutMs: 60_000,
        extraUsers: [
          { username: 'agent' },
          { username: 'ingest0' },
          { username: 'ingest1' },
          { username: 'bench' },
        ],
      }),
    ]);
    return {
      influx,
      mosquitto,
      user(name) {
        const u = mosquitto.users.find((x) => x.username === name);
        if (!u) throw new Error(`no Mosquitto user ${name}`);
        return u;
      },
    };
  })();
  return started;
}

export async function stopBenchServices(): Promise<void> {
  if (!started) return;
  const s = await started.catch(() => undefined);
  started = undefined;
  if (s) await Promise.all([s.influx.stop(), s.mosquitto.stop()]);
}

let dbSeq = 0;

/** A new, empty database on the shared influxd. */
export async function freshBenchDatabase(influxUrl: string, prefix: string): Promise<string> {
  const db = `bench_${prefix}_${process.pid}_${++dbSeq}`;
  const res = await fetch(`${influxUrl}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }),
  });
  await res.text();
  return db;
}

/** Number of values in `measurement` (every field counted), or 0 when there is nothing yet. */
export async function countValues(influxUrl: string, db: string, measurement = 'telemetry'): Promise<number> {
  const rows = await queryInfluxQL(influxUrl, { db, q: `SELECT count(*) FROM "${measurement}"` });
  let n = 0;
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) if (k.startsWith('count_') && typeof v === 'number') n += v;
  }
  return n;
}
