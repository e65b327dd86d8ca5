import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { freshDatabase, influxUrl, mosquitto } from '../../helpers/services.js';

async function influxql(q: string, db?: string): Promise<unknown> {
  const params = new URLSearchParams({ q, epoch: 'ms' });
  if (db) params.set('db', db);
  const res = await fetch(`${influxUrl()}/query`, { method: 'POST', body: params });
  expect(res.status).toBe(200);
  return res.json();
}

describe('services from the global setup', () => {
  it('InfluxDB 1.x answers on a loopback port', async () => {
    const url = new URL(influxUrl());
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    const res = await fetch(`${influxUrl()}/ping`);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-influxdb-version')).toMatch(/^1\./);
  });

  it('freshDatabase gives each caller its own empty database', async () => {
    const a = await freshDatabase('svc');
    const b = await freshDatabase('svc');
    expect(a).not.toBe(b);
    const write = await fetch(`${influxUrl()}/write?db=${a}&precision=ms`, {
      method: 'POST',
      body: 'm,t=x v=1i 1700000000000',
    });
    expect(write.status).toBe(204);
    expect(JSON.stringify(await influxql('SELECT * FROM m', a))).toContain('1700000000000');
    expect(await influxql('SELECT * FROM m', b)).toEqual({ results: [{ statement_id: 0 }] });
  });

  it('Mosquitto needs the generated password and delivers to an authenticated client', async () => {
    const broker = mosquitto();
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(
      /Not authorized|Bad username|unauthorized/i,
    );
    await expect(
      mqtt.connectAsync(broker.url, {
        username: broker.username,
        password: 'wrong',
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow(/Not authorized|Bad username|unauthorized/i);

    const client = await mqtt.connectAsync(broker.url, {
      username: broker.username,
      password: broker.password,
      reconnectPeriod: 0,
    });
    try {
      const got = new Promise<string>((resolve) =>
        client.once('message', (_topic, payload) => resolve(payload.toString())),
      );
      await client.subscribeAsync('plantpulse/test/#', { qos: 1 });
      await client.publishAsync('plantpulse/test/a', 'hello', { qos: 1 });
      expect(await got).toBe('hello');
    } finally {
      await client.endAsync();
    }
  });
});
