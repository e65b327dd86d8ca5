/**
 * A device that answers a read of N registers with fewer (issue 15 point 3): modbus-serial checks a frame's length
 * but trusts the byte count inside it, so a short count used to come back as fewer registers and the missing points
 * read as zeros with good quality. Against a real hostile peer — a tiny TCP server here that answers reads the way
 * each step says — the points must be bad with MODBUS_SHORT_RESPONSE, counted in the device's health, and the next
 * good answer must read normally.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PollRunner } from '../../../agent/runner/poll-runner.js';
import { createModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import { mbapFrame, rtuFrame } from '../../../protocols/modbus/frame.js';
import type { ModbusPointSpec } from '../../../protocols/modbus/point.js';
import type { Sample } from '../../../protocols/sample.js';
import { until } from '../../helpers/until.js';
import { captureLogger, deviceConfig } from './helpers.js';

type Transport = 'tcp' | 'rtu+tcp';
/**
 * honest: the registers asked for; cut: a whole, consistent frame carrying one register fewer (MBAP length and byte
 * count agree); count: a frame as long as a right answer whose byte count says one register fewer.
 */
type Answer = 'honest' | 'cut' | 'count';

const UNIT = 3;
const WORDS = [1234, 5678, 4321];
const POINTS: ModbusPointSpec[] = [
  { name: 'a', table: 'holding', address: 10, type: 'uint16' },
  { name: 'b', table: 'holding', address: 11, type: 'uint16' },
  { name: 'c', table: 'holding', address: 12, type: 'int16' },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Modbus server on 127.0.0.1 that answers every FC 3 read as `peer.answer` says. */
async function hostilePeer(t: Transport): Promise<{ url: string; answer: Answer; requests: number }> {
  const peer = { url: '', answer: 'honest' as Answer, requests: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const head = t === 'tcp' ? 7 : 1; // MBAP header or the RTU unit id, before the PDU
      const size = head + 5 + (t === 'tcp' ? 0 : 2);
      while (buf.length >= size) {
        const tid = buf.readUInt16BE(0);
        const count = buf.readUInt16BE(head + 3);
        buf = buf.subarray(size);
        peer.requests++;
        const words = WORDS.slice(0, count);
        const carried = peer.answer === 'cut' ? words.slice(0, -1) : words;
        const pdu = Buffer.alloc(2 + carried.length * 2);
        pdu[0] = 3;
        pdu[1] = (peer.answer === 'honest' ? words.length : words.length - 1) * 2;
        for (const [i, w] of carried.entries()) pdu.writeUInt16BE(w, 2 + i * 2);
        socket.write(t === 'tcp' ? mbapFrame(tid, UNIT, pdu) : rtuFrame(UNIT, pdu));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  peer.url = `${t}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return peer;
}

function startRunner(url: string) {
  const { log } = captureLogger();
  const device = deviceConfig('lathe-2', url, POINTS, { unitId: UNIT, timeout: '300ms', maxGap: 0 }, '50ms');
  const source = createModbusSource(device, { log });
  const samples: Sample[] = [];
  const runner = new PollRunner({
    sources: [source],
    log,
    onSamples: (s) => samples.push(...s),
    onReachability: () => {},
  });
  runner.start();
  cleanups.push(() => runner.stop());
  const health = () => {
    const h = runner.health()[0];
    if (h === undefined) throw new Error('no device health');
    return h;
  };
  return { samples, health };
}

describe.each<Transport>(['tcp', 'rtu+tcp'])('a short Modbus answer over %s', (t) => {
  it('a byte count below the request marks the points bad (MODBUS_SHORT_RESPONSE, counted); the next good answer reads', async () => {
    const peer = await hostilePeer(t);
    peer.answer = 'count';
    const { samples, health } = startRunner(peer.url);

    await until('three polls', () => (health().polls >= 3 ? true : undefined));
    const during = samples.length;
    expect(during).toBeGreaterThan(0);
    // none of the three points good: not the two the count covers, nor the zero it leaves out
    expect(samples.filter((s) => s.quality === 'good')).toEqual([]);
    const h = health();
    // every poll (one request of three registers) failed with the one code, counted per poll
    expect(h.errors).toEqual({ MODBUS_SHORT_RESPONSE: h.polls });
    expect(h.lastError).toMatchObject({
      code: 'MODBUS_SHORT_RESPONSE',
      message: expect.stringMatching(/byte count 4 where 3 registers need 6 bytes/),
    });
    expect(h.failing).toBe(true);
    // the device answered: it is reachable and its connection is kept
    expect(h.reachable).toBe(true);
    expect(h.reconnects).toBe(0);

    peer.answer = 'honest';
    await until('a good poll after the short ones', () =>
      health().lastGoodPoll !== null ? true : undefined,
    );
    const good = samples.slice(during).filter((s) => s.quality === 'good');
    expect(Object.fromEntries(good.slice(-3).map((s) => [s.metric, s.value]))).toEqual({
      a: 1234,
      b: 5678,
      c: 4321,
    });
  });
});

describe('a Modbus TCP answer whose frame is one register short', () => {
  it('MBAP length and byte count agree on fewer registers: bad points, MODBUS_SHORT_RESPONSE, then normal reads', async () => {
    const peer = await hostilePeer('tcp');
    peer.answer = 'cut';
    const { samples, health } = startRunner(peer.url);

    await until('three polls', () => (health().polls >= 3 ? true : undefined));
    const during = samples.length;
    expect(samples.filter((s) => s.quality === 'good')).toEqual([]);
    const h = health();
    expect(h.errors).toEqual({ MODBUS_SHORT_RESPONSE: h.polls });
    expect(h.lastError).toMatchObject({
      code: 'MODBUS_SHORT_RESPONSE',
      message: expect.stringMatching(/4 data bytes where 3 registers need 6/),
    });
    expect(h.reachable).toBe(true);
    expect(h.reconnects).toBe(0);

    peer.answer = 'honest';
    await until('a good poll after the short ones', () =>
      health().lastGoodPoll !== null ? true : undefined,
    );
    const good = samples.slice(during).filter((s) => s.quality === 'good');
    expect(Object.fromEntries(good.slice(-3).map((s) => [s.metric, s.value]))).toEqual({
      a: 1234,
      b: 5678,
      c: 4321,
    });
  });
});
