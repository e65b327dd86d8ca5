import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createModbusSource, type ModbusSource } from '../../../agent/sources/modbus/modbus-source.js';
import type { Sample } from '../../../protocols/sample.js';
import { pollUntil } from '../../../scripts/services/poll-until.js';
import { type ModbusSimulator, startModbusSimulator } from '../../../simulators/modbus/modbus-simulator.js';
import { agentPoints, type SimProfile } from '../../../simulators/modbus/profile.js';
import { pressProfile } from '../../../simulators/modbus/profiles/press.js';
import { captureLogger, deviceConfig } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(profile: SimProfile): Promise<ModbusSimulator> {
  const s = await startModbusSimulator({ port: 0, host: '127.0.0.1', profile, animate: false });
  cleanups.push(() => s.close());
  return s;
}

function source(
  url: string,
  profile: SimProfile,
  extra = {},
): { src: ModbusSource; lines: Record<string, unknown>[] } {
  const { log, lines } = captureLogger();
  const src = createModbusSource(deviceConfig('press-07', url, agentPoints(profile), extra), { log });
  cleanups.push(() => src.close());
  return { src, lines };
}

const byName = (samples: Sample[]): Record<string, Sample> =>
  Object.fromEntries(samples.map((s) => [s.metric, s]));

describe('Modbus TCP source against the simulator', () => {
  it('knows its metrics before connecting and logs its plan', () => {
    const profile = pressProfile();
    const { src, lines } = source('tcp://127.0.0.1:1', profile);
    expect(src.metrics).toEqual([
      { name: 'state_code', kind: 'uint16', description: 'holding 100 uint16' },
      { name: 'part_count', kind: 'uint32', description: 'holding 102 uint32 CDAB' },
      { name: 'power_kw', kind: 'double', unit: 'kW', description: 'input 0 float32' },
    ]);
    expect(src.groups).toEqual([
      { intervalMs: 1000, description: expect.stringMatching(/^2 requests for 3 points/) },
    ]);
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('2 requests for 3 points'))).toBe(
      true,
    );
  });

  it('reads and decodes the press as the simulator declares it', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.set('part_count', 70_001); // > 65535: the CDAB word order matters
    s.set('power_kw', 45.123);
    s.set('state_code', 3);
    const { src } = source(s.url, profile);
    await src.connect(AbortSignal.timeout(2000));
    const before = Date.now();
    const r = await src.read(0, AbortSignal.timeout(2000));
    expect(r.failures).toEqual([]);
    const got = byName(r.samples);
    expect(got.state_code).toMatchObject({ device: 'press-07', value: 3, quality: 'good' });
    expect(got.part_count).toMatchObject({ value: s.expected('part_count'), quality: 'good' });
    expect(got.part_count?.value).toBe(70_001);
    expect(got.power_kw?.quality).toBe('good');
    expect(got.power_kw?.value as number).toBeCloseTo(45.123, 4);
    expect(got.power_kw?.value).toBe(s.expected('power_kw'));
    for (const sample of r.samples) expect(sample.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('a long-lived poll signal collects no listeners, however many reads use it', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    const { src } = source(s.url, profile);
    const session = new AbortController();
    await src.connect(session.signal);
    for (let i = 0; i < 30; i++) expect((await src.read(0, session.signal)).failures).toEqual([]);
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
  });

  it('an exception marks only the points of that request bad, with the code', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.inject({ kind: 'exception', functionCode: 4, exceptionCode: 2 });
    const { src } = source(s.url, profile);
    await src.connect(AbortSignal.timeout(2000));
    const r = await src.read(0, AbortSignal.timeout(2000));
    expect(r.failures).toEqual([
      expect.objectContaining({ code: 'MODBUS_EXCEPTION', detail: 2, linkFault: false }),
    ]);
    expect(r.failures[0]?.message).toMatch(/illegal data address/);
    const got = byName(r.samples);
    expect(got.power_kw).toMatchObject({ value: null, quality: 'bad' });
    expect(got.state_code).toMatchObject({ quality: 'good', value: 1 });
    expect(got.part_count).toMatchObject({ quality: 'good' });
  });

  it('a busy device (exception 6) is a per-request failure, not a link fault', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.inject({ kind: 'exception', functionCode: 3, exceptionCode: 6, times: 1 });
    const { src } = source(s.url, profile);
    await src.connect(AbortSignal.timeout(2000));
    const r1 = await src.read(0, AbortSignal.timeout(2000));
    expect(r1.failures).toEqual([
      expect.objectContaining({ code: 'MODBUS_EXCEPTION', detail: 6, linkFault: false }),
    ]);
    const r2 = await src.read(0, AbortSignal.timeout(2000));
    expect(r2.failures).toEqual([]);
  });

  it('a silent device times out (bounded), marks the request bad, and the next poll still works', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.inject({ kind: 'silence', functionCode: 3, times: 1 });
    const { src } = source(s.url, profile, { timeout: '1s' });
    await src.connect(AbortSignal.timeout(2000));
    const r1 = await src.read(0, AbortSignal.timeout(5000));
    expect(r1.failures).toEqual([expect.objectContaining({ code: 'MODBUS_TIMEOUT', linkFault: true })]);
    expect(byName(r1.samples).state_code?.quality).toBe('bad');
    expect(byName(r1.samples).power_kw?.quality).toBe('good');
    const r2 = await src.read(0, AbortSignal.timeout(2000));
    expect(r2.failures).toEqual([]);
  });

  it('a late answer to a timed-out request is not taken for the next one', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.set('state_code', 2);
    s.inject({ kind: 'delay', delayMs: 2500, functionCode: 3, times: 1 });
    const { src } = source(s.url, profile, { timeout: '1s' });
    await src.connect(AbortSignal.timeout(2000));
    const r1 = await src.read(0, AbortSignal.timeout(5000));
    expect(r1.failures[0]?.code).toBe('MODBUS_TIMEOUT');
    s.set('state_code', 3);
    // wait (with a deadline) until the simulator has sent the late answer, then read again
    await pollUntil(async () => (s.stats.replies === s.stats.requests ? true : undefined), {
      what: 'the late answer',
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    const last = await src.read(0, AbortSignal.timeout(2000));
    expect(last.failures).toEqual([]);
    expect(byName(last.samples).state_code?.value).toBe(3);
  });

  it('a float register holding NaN gives a bad sample and a counted failure, never a NaN value', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    s.set('power_kw', Number.NaN);
    const { src } = source(s.url, profile);
    await src.connect(AbortSignal.timeout(2000));
    const r = await src.read(0, AbortSignal.timeout(2000));
    expect(r.failures).toEqual([expect.objectContaining({ code: 'MODBUS_NOT_FINITE', linkFault: false })]);
    expect(byName(r.samples).power_kw).toMatchObject({ value: null, quality: 'bad' });
    expect(byName(r.samples).state_code?.quality).toBe('good');
  });

  it('a refused connection is a rejected connect with a code, never a crash', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    const url = s.url;
    await s.close();
    const { src } = source(url, profile);
    await expect(src.connect(AbortSignal.timeout(2000))).rejects.toMatchObject({ code: 'MODBUS_CONNECT' });
    const r = await src.read(0, AbortSignal.timeout(2000));
    expect(r.failures.every((f) => f.linkFault)).toBe(true);
    expect(r.samples.every((x) => x.quality === 'bad')).toBe(true);
  });

  it('a dropped connection fails the poll as a link fault; close + connect recovers', async () => {
    const profile = pressProfile();
    const s = await sim(profile);
    const { src } = source(s.url, profile, { timeout: '3s' });
    await src.connect(AbortSignal.timeout(2000));
    s.inject({ kind: 'drop', times: 1 });
    const r1 = await src.read(0, AbortSignal.timeout(5000));
    expect(r1.failures.length).toBeGreaterThan(0);
    expect(r1.failures.every((f) => f.linkFault)).toBe(true);
    // the request in flight fails at once with the reason, instead of waiting out its timeout
    expect(r1.failures[0]).toMatchObject({
      code: 'MODBUS_IO',
      message: expect.stringMatching(/connection lost/),
    });
    await src.close();
    await src.connect(AbortSignal.timeout(2000));
    const r2 = await src.read(0, AbortSignal.timeout(2000));
    expect(r2.failures).toEqual([]);
    expect(s.stats.connections).toBe(2);
  });
});
