/**
 * Connections from one address are capped (maxConnectionsPerAddress) and so is their rate (connectRatePerAddress):
 * beyond either, a new connection is closed before a byte of MQTT is read, counted and reported; a slot freed is
 * usable again, and clients already connected are untouched.
 */
import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ConnectionGuard } from '../../cloud/broker/connection-guard.js';
import { closed, connackOf, connectPacket, PW, rawSocket, startBrokerRig } from './broker-rig.js';

describe('connection limits', () => {
  it('closes the connection over maxConnectionsPerAddress; a freed slot is usable again', async () => {
    const rig = await startBrokerRig({ maxConnectionsPerAddress: 3 });
    try {
      const legit = await mqtt.connectAsync(rig.url, {
        username: 'gw-a',
        password: PW['gw-a'],
        reconnectPeriod: 0,
      });
      const idle: Socket[] = [await rawSocket(rig.port), await rawSocket(rig.port)];
      const fourth = await rawSocket(rig.port);
      await closed(fourth); // closed by the broker, not by us
      expect(rig.events).toContainEqual(
        expect.objectContaining({
          type: 'broker.limit',
          address: '127.0.0.1',
          reason: '3 connections open from this address (maxConnectionsPerAddress)',
        }),
      );
      expect(rig.broker.stats().limited).toBe(1);
      await legit.publishAsync('spBv1.0/plant1/NDATA/gw-a', 'still here', { qos: 1 });

      const first = idle[0];
      first?.destroy();
      if (first) await closed(first);
      // the broker sees the close asynchronously: retry until the freed slot is admitted
      let code: number | 'closed' = 'closed';
      for (let i = 0; i < 50 && code === 'closed'; i++) {
        const s = await rawSocket(rig.port);
        const answer = connackOf(s);
        s.write(connectPacket(`again-${i}`, 'gw-b', PW['gw-b']));
        code = await answer;
        s.destroy();
      }
      expect(code).toBe(0);
      for (const s of idle) s.destroy();
      await legit.endAsync();
    } finally {
      await rig.close();
    }
  });

  it('limits the rate of new connections per address (a bucket of twice the rate per second)', () => {
    let now = 1_000_000;
    const guard = new ConnectionGuard(
      { maxConnections: 100, maxPerAddress: 100, ratePerSecond: 5 },
      () => now,
    );
    const admitted = () => {
      let n = 0;
      while (guard.admit('10.0.0.1') === undefined) n++;
      return n;
    };
    expect(admitted()).toBe(10);
    expect(guard.admit('10.0.0.2')).toBeUndefined(); // another address has its own bucket
    now += 1000;
    expect(admitted()).toBe(5);
    expect(guard.admit('10.0.0.1')).toBe(
      'more than 5 new connections/s from this address (connectRatePerAddress)',
    );
  });

  it('caps connections in total', () => {
    const guard = new ConnectionGuard({ maxConnections: 2, maxPerAddress: 10, ratePerSecond: 10 });
    expect(guard.admit('a')).toBeUndefined();
    expect(guard.admit('b')).toBeUndefined();
    expect(guard.admit('c')).toBe('2 connections open (maxConnections)');
    guard.release('a');
    expect(guard.admit('c')).toBeUndefined();
  });
});
