/**
 * Private Mosquitto and InfluxDB for one fault scenario, which the test can stop and start again on the same port
 * and data directory (a broker restart, an InfluxDB outage) without touching the run's shared services.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { type InfluxdService, startInfluxd } from '../../scripts/services/influxd.js';
import { type ManagedProcess, spawnManaged, stopByPid } from '../../scripts/services/managed-process.js';
import { type MosquittoService, startMosquitto } from '../../scripts/services/mosquitto.js';

export interface Restartable {
  readonly url: string;
  /** SIGTERM (Mosquitto saves its persistence file; InfluxDB flushes), and wait until it is gone */
  stop(): Promise<void>;
  /** start again on the same port and data, and wait until it serves */
  start(): Promise<void>;
  /** stop for good and remove the data directory */
  dispose(): Promise<void>;
}

async function until(what: string, f: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function restartable(
  svc: { url: string; pid: number; dataDir: string; stop(): Promise<void> },
  command: string,
  args: string[],
  ready: () => Promise<boolean>,
): Restartable {
  let current: ManagedProcess | undefined;
  let pid: number | undefined = svc.pid;
  let n = 0;
  return {
    url: svc.url,
    async stop() {
      if (pid === undefined) return;
      await stopByPid(pid, current ? { exited: current.exited } : {});
      pid = undefined;
    },
    async start() {
      if (pid !== undefined) return;
      current = await spawnManaged(command, args, { logFile: join(svc.dataDir, `restart-${++n}.log`) });
      pid = current.pid;
      await until(`${command} to serve again`, ready);
    },
    async dispose() {
      if (pid !== undefined && pid !== svc.pid)
        await stopByPid(pid, current ? { exited: current.exited } : {});
      pid = undefined;
      await svc.stop();
    },
  };
}

export async function privateMosquitto(
  users: string[],
): Promise<
  Restartable & { service: MosquittoService; user(name: string): { username: string; password: string } }
> {
  const svc = await startMosquitto({ extraUsers: users.map((username) => ({ username })) });
  const main = { username: svc.username, password: svc.password };
  const r = restartable(svc, '/usr/sbin/mosquitto', ['-c', join(svc.dataDir, 'mosquitto.conf')], async () => {
    const c = await mqtt.connectAsync(svc.url, { ...main, reconnectPeriod: 0, connectTimeout: 2000 });
    await c.endAsync();
    return true;
  });
  return Object.assign(r, {
    service: svc,
    user(name: string) {
      const u = svc.users.find((x) => x.username === name);
      if (!u) throw new Error(`no user ${name}`);
      return { username: u.username, password: u.password };
    },
  });
}

export async function privateInflux(): Promise<Restartable & { service: InfluxdService }> {
  const svc = await startInfluxd();
  const r = restartable(
    svc,
    '/usr/bin/influxd',
    ['run', '-config', join(svc.dataDir, 'influxdb.conf')],
    async () => {
      const res = await fetch(`${svc.url}/ping`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 204;
    },
  );
  return Object.assign(r, { service: svc });
}
