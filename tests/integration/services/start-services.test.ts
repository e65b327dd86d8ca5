import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ensureDebianPackages } from '../../../scripts/services/debian-packages.js';
import { PackagesMissingError } from '../../../scripts/services/errors.js';
import { freePorts } from '../../../scripts/services/free-port.js';
import { startInfluxd } from '../../../scripts/services/influxd.js';
import { startMosquitto } from '../../../scripts/services/mosquitto.js';
import { startVictoriaMetrics } from '../../../scripts/services/victoria-metrics.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pings(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`);
    await res.body?.cancel();
    return res.status === 204;
  } catch {
    return false;
  }
}

describe('startInfluxd', () => {
  it('two at once get different ports and dirs, both answer, and stop() leaves no process or dir', async () => {
    const [a, b] = await Promise.all([startInfluxd(), startInfluxd()]);
    try {
      expect(a.url).not.toBe(b.url);
      expect(a.dataDir).not.toBe(b.dataDir);
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(a.version).toMatch(/^1\.6/);
      expect(await pings(a.url)).toBe(true);
      expect(await pings(b.url)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const s of [a, b]) {
      expect(alive(s.pid)).toBe(false);
      expect(existsSync(s.dataDir)).toBe(false);
      expect(await pings(s.url)).toBe(false);
    }
  });
});

/** A port somebody else holds, as when another process wins the race between choosing and binding. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { port: address.port, server };
}

describe('port races', () => {
  it('influxd and mosquitto retry with new ports when the chosen one is taken', async () => {
    const taken = await occupiedPort();
    const calls: number[][] = [];
    const pickPorts = async (n: number) => {
      const ports = calls.length === 0 ? [taken.port, ...(await freePorts(n - 1))] : await freePorts(n);
      calls.push(ports);
      return ports;
    };
    try {
      const influx = await startInfluxd({ pickPorts });
      await influx.stop();
      expect(calls).toHaveLength(2);
      expect(new URL(influx.url).port).toBe(String(calls[1]?.[0]));
      calls.length = 0;
      const broker = await startMosquitto({ pickPorts });
      await broker.stop();
      expect(calls).toHaveLength(2);
      expect(new URL(broker.url).port).toBe(String(calls[1]?.[0]));
    } finally {
      taken.server.close();
    }
  });
});

describe('startMosquitto', () => {
  it('refuses anonymous clients, accepts each generated user, and stop() leaves no process', async () => {
    const broker = await startMosquitto({
      extraUsers: [{ username: 'edge' }, { username: 'fixed', password: 'pw-1' }],
    });
    try {
      expect(broker.users.map((u) => u.username)).toEqual(['plantpulse', 'edge', 'fixed']);
      expect(broker.users[2]?.password).toBe('pw-1');
      expect(broker.password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      await expect(
        mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 }),
      ).rejects.toThrow();
      for (const u of broker.users) {
        const c = await mqtt.connectAsync(broker.url, { ...u, reconnectPeriod: 0 });
        await c.endAsync();
      }
    } finally {
      await broker.stop();
    }
    expect(alive(broker.pid)).toBe(false);
    expect(existsSync(broker.dataDir)).toBe(false);
  });
});

describe('startVictoriaMetrics', () => {
  it('accepts a v2 write from the official client; the data reads back from /api/v1/export', async () => {
    const vm = await startVictoriaMetrics();
    try {
      const writeApi = new InfluxDB({ url: vm.url }).getWriteApi('plantpulse', 'telemetry', 'ms', {
        maxRetries: 0,
        gzipThreshold: 1,
      });
      writeApi.writePoints([
        new Point('telemetry')
          .tag('device', 'press-07')
          .floatField('power_kw', 12.5)
          .timestamp(1_700_000_000_000),
        new Point('telemetry')
          .tag('device', 'press-07')
          .floatField('power_kw', 13.5)
          .timestamp(1_700_000_001_000),
      ]);
      await writeApi.close();
      await vm.flush();
      const res = await fetch(
        `${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': 'telemetry_power_kw' })}`,
      );
      const series = (await res.text())
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] },
        );
      expect(series).toEqual([
        {
          metric: { __name__: 'telemetry_power_kw', device: 'press-07' },
          values: [12.5, 13.5],
          timestamps: [1_700_000_000_000, 1_700_000_001_000],
        },
      ]);
    } finally {
      await vm.stop();
    }
    expect(alive(vm.pid)).toBe(false);
  });
});

describe('ensureDebianPackages', () => {
  it('does nothing when the packages are installed', async () => {
    expect(await ensureDebianPackages(['influxdb', 'mosquitto'], { asRoot: false })).toEqual([]);
  });

  it('without root, throws the exact command to run for the missing ones', async () => {
    const err = await ensureDebianPackages(['mosquitto', 'plantpulse-no-such-pkg'], { asRoot: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PackagesMissingError);
    expect((err as Error).message).toBe(
      'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y plantpulse-no-such-pkg',
    );
    expect(err).toMatchObject({ code: 'SERVICE_PACKAGES_MISSING', missing: ['plantpulse-no-such-pkg'] });
  });

  it('refuses things that are not package names before running anything', async () => {
    await expect(ensureDebianPackages(['x; rm -rf /'], { asRoot: true })).rejects.toMatchObject({
      code: 'SERVICE_INSTALL_FAILED',
    });
  });
});
