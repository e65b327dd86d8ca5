/**
 * A flood of CONNECTs with unknown users and wrong passwords does not stall the broker: password checks run on
 * libuv's thread pool (`crypto.scrypt`), two at a time, so a legitimate client already connected keeps publishing
 * while the flood's logins are still being checked. Every checked CONNECT costs exactly one KDF run, whether the
 * user exists or not, so neither time nor work tells an attacker which usernames exist.
 */
import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startEmbeddedBroker } from '../../cloud/broker/embedded-broker.js';
import { hashSecret } from '../../config/password-hash.js';
import { brokerConfig } from '../helpers/configs.js';
import { connackOf, connectPacket, rawSocket } from './broker-rig.js';

const FLOOD = 80;
const PUBLISHES = 30;

describe('a login flood', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startEmbeddedBroker(
      brokerConfig({
        port: 0,
        // the shipped cost (scrypt N=16384: tens of ms per check)
        users: [
          { username: 'gw-a', passwordHash: hashSecret('pw-gateway-a-1') },
          { username: 'gw-b', passwordHash: hashSecret('pw-gateway-b-2') },
        ],
        maxConnectionsPerAddress: 1000,
        connectRatePerAddress: 10_000,
        maxPendingLogins: 1000,
      }),
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await broker.close();
  });

  it('leaves a connected client publishing, and costs one KDF per CONNECT, known user or not', async () => {
    const legit = await mqtt.connectAsync(broker.url, {
      username: 'gw-a',
      password: 'pw-gateway-a-1',
      reconnectPeriod: 0,
    });
    const kdfBefore = broker.stats().kdfRuns;
    const sockets: Socket[] = [];
    const answers: Promise<number | 'closed'>[] = [];
    let answered = 0;
    for (let i = 0; i < FLOOD; i++) {
      const s = await rawSocket(broker.port);
      sockets.push(s);
      answers.push(
        connackOf(s).then((a) => {
          answered++;
          return a;
        }),
      );
      // half unknown users, half a known user with a wrong password
      s.write(
        i % 2 === 0
          ? connectPacket(`flood-${i}`, `nobody-${i}`, 'guess')
          : connectPacket(`flood-${i}`, 'gw-b', 'guess'),
      );
    }

    let acked = 0;
    for (let i = 0; i < PUBLISHES; i++) {
      await legit.publishAsync('spBv1.0/plant1/NDATA/gw-a', `m${i}`, { qos: 1 });
      acked++;
    }
    const floodAnsweredWhenLegitDone = answered;
    expect(acked).toBe(PUBLISHES);
    // the legitimate client finished while the flood was still queued for password checks
    expect(floodAnsweredWhenLegitDone).toBeLessThan(FLOOD);

    const codes = await Promise.all(answers);
    expect(codes.every((c) => c === 4)).toBe(true); // bad username or password, unknown or not
    expect(broker.stats().kdfRuns - kdfBefore).toBe(FLOOD);
    for (const s of sockets) s.destroy();
    await legit.endAsync();
  }, 120_000);
});
