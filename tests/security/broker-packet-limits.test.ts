/**
 * A huge packet is cut off while it is read, before the broker buffers it: a CONNECT (unauthenticated) or a
 * PUBLISH (authenticated) declaring 98 MiB is refused after its fixed header, so the connection is closed while the
 * attacker is still writing, long before 98 MiB — or even 1 MiB — went out; the broker never held it.
 */
import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { varint } from '../fuzz/targets/mqtt-wire.js';
import { type BrokerRig, connackOf, connectPacket, PW, rawSocket, startBrokerRig } from './broker-rig.js';

const DECLARED = 98 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
/** the attacker gives up (and the test fails) after this much went out unrefused */
const GIVE_UP = 4 * 1024 * 1024;

/** Writes `header`, then body chunks, waiting for drain, until the socket closes or GIVE_UP bytes went out. */
async function writeUntilClosed(s: Socket, header: Buffer): Promise<{ sent: number; closedEarly: boolean }> {
  let isClosed = false;
  s.once('close', () => {
    isClosed = true;
  });
  s.on('error', () => undefined);
  let sent = 0;
  s.write(header);
  sent += header.length;
  while (!isClosed && sent < GIVE_UP) {
    const more = s.write(CHUNK);
    sent += CHUNK.length;
    if (!more) await new Promise<void>((r) => (isClosed ? r() : s.once('drain', r).once('close', r)));
    else await new Promise<void>((r) => setImmediate(r));
  }
  if (!isClosed) {
    s.destroy();
    return { sent, closedEarly: false };
  }
  return { sent, closedEarly: true };
}

describe('packet size limit', () => {
  let rig: BrokerRig;
  beforeAll(async () => {
    rig = await startBrokerRig({ maxPayloadBytes: '64KiB', maxPacketBytes: '80KiB' });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('cuts off a 98 MiB partial CONNECT after its header', async () => {
    const s = await rawSocket(rig.port);
    const r = await writeUntilClosed(s, Buffer.concat([Buffer.from([0x10]), varint(DECLARED)]));
    expect(r.closedEarly).toBe(true);
    expect(r.sent).toBeLessThan(1024 * 1024);
    expect(rig.events).toContainEqual(
      expect.objectContaining({
        type: 'broker.limit',
        reason: `packet of ${DECLARED} B exceeds maxPacketBytes 81920 B`,
      }),
    );
  });

  it('cuts off a 98 MiB PUBLISH of a logged-in client', async () => {
    const s = await rawSocket(rig.port);
    const answer = connackOf(s);
    s.write(connectPacket('big-publisher', 'gw-a', PW['gw-a']));
    expect(await answer).toBe(0);
    const r = await writeUntilClosed(s, Buffer.concat([Buffer.from([0x30]), varint(DECLARED)]));
    expect(r.closedEarly).toBe(true);
    expect(r.sent).toBeLessThan(1024 * 1024);
  });

  it('still takes a packet within the limit, and refuses a payload over maxPayloadBytes', async () => {
    const c = await mqtt.connectAsync(rig.url, {
      username: 'gw-a',
      password: PW['gw-a'],
      reconnectPeriod: 0,
    });
    await c.publishAsync('spBv1.0/plant1/NDATA/gw-a', Buffer.alloc(60 * 1024), { qos: 1 });
    const gone = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('spBv1.0/plant1/NDATA/gw-a', Buffer.alloc(70 * 1024), { qos: 1 });
    await gone;
    expect(rig.events).toContainEqual(
      expect.objectContaining({
        type: 'broker.publish-refused',
        reason: `payload ${70 * 1024} B exceeds ${64 * 1024} B`,
      }),
    );
    await c.endAsync(true);
  });
});
