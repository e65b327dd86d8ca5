/**
 * The HJ 212 receiver against the simulated datalogger, over real TCP: two outlets (a boiler stack and a wastewater
 * outlet, two MNs) on one listener; real-time, minute and hourly data as samples with their DataTime, units and
 * historical marks; 9014 responses; and the faults an outsider or a bad line can cause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodePacket, uploadSegment } from '../../../protocols/hj212/index.js';
import type { Sample } from '../../../protocols/sample.js';
import { type Hj212Datalogger, startHj212Datalogger } from '../../../simulators/hj212/datalogger.js';
import { until } from '../../helpers/until.js';
import { listening, STACK_MN, twoOutlets, uploadWithBrokenCrc, WATER_MN } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(extra: Record<string, unknown> = {}, flag?: string) {
  const t = await twoOutlets(extra);
  cleanups.push(
    () => t.stack.stop(),
    () => t.water.stop(),
  );
  const { port, started } = await listening(t.stack, t.water);
  const logger = await datalogger(port, flag);
  await started;
  return { ...t, port, logger };
}

async function datalogger(
  port: number,
  flag?: string,
  mn = STACK_MN,
  password = '123456',
): Promise<Hj212Datalogger> {
  const d = await startHj212Datalogger({
    port,
    outlets: [
      { mn, password, profile: 'boiler-stack' },
      { mn: WATER_MN, password, profile: 'wastewater' },
    ],
    realtimeEveryMs: 0,
    minuteEveryMs: 0,
    hourEveryMs: 0,
    reconnectMs: 50,
    ...(flag === undefined ? {} : { flag }),
  });
  cleanups.push(() => d.close());
  await d.connected();
  await d.send('realtime');
  return d;
}

const metric = (samples: Sample[], name: string) => samples.filter((s) => s.metric === name);

describe('HJ 212 receiver', () => {
  it('takes real-time, minute and hourly data of two outlets and acknowledges each packet with 9014', async () => {
    const { stack, water, logger } = await setup();
    const at = Date.UTC(2026, 11, 6, 2, 30, 0); // 10:30 Beijing
    await logger.send('minute', at);
    await logger.send('hour', at);
    await logger.waitAcks(6, AbortSignal.timeout(10_000));
    expect(logger.acknowledged).toBe(6);

    const so2 = metric(stack.samples, 'a21026_rtd')[0];
    expect(so2).toMatchObject({ device: 'boiler-1-stack', quality: 'good' });
    expect(so2?.value).toBeGreaterThan(5);
    expect(so2?.historical).toBeUndefined();
    expect(metric(stack.samples, 'a21026_zsrtd')).toHaveLength(1);
    // the minute window 10:29–10:30 and the hour 09:00–10:00 (Beijing), named by their start, historical
    expect(metric(stack.samples, 'a21002_minute_avg')[0]).toMatchObject({
      timestamp: Date.UTC(2026, 11, 6, 2, 29, 0),
      historical: true,
    });
    expect(metric(stack.samples, 'a21002_hour_cou')[0]).toMatchObject({
      timestamp: Date.UTC(2026, 11, 6, 1, 0, 0),
      historical: true,
    });
    expect(metric(water.samples, 'w01018_hour_avg')).toHaveLength(1);
    expect(metric(water.samples, 'w00000_rtd')).toHaveLength(1);
    // each outlet's samples only carry its own device
    expect(new Set(water.samples.map((s) => s.device))).toEqual(new Set(['ww-outlet']));
    const units = Object.fromEntries(stack.source.metrics.map((m) => [m.name, m.unit]));
    expect(units).toMatchObject({
      a21026_rtd: 'mg/m³',
      a21026_hour_cou: 'kg',
      a00000_rtd: 'm³/s',
      a01012_rtd: '℃',
    });
  });

  it('maps the data flag to quality: calibration (C) is bad', async () => {
    const { stack } = await setup({}, 'C');
    const s = await until('a sample', () => stack.samples[0]);
    expect(s.quality).toBe('bad');
  });

  it('refuses a bad CRC without an answer and keeps the connection for the next good packet', async () => {
    const { stack, logger } = await setup();
    await logger.waitAcks(2, AbortSignal.timeout(10_000));
    const { good, bad } = uploadWithBrokenCrc(STACK_MN);
    await logger.sendRaw(bad);
    await logger.sendRaw(good);
    await logger.waitAcks(3, AbortSignal.timeout(10_000));
    expect(stack.source.listener.stats.refused.HJ212_BAD_CRC).toBe(1);
    expect(metric(stack.samples, 'a21026_rtd').map((s) => s.value)).toContain(77.7);
    expect(logger.acknowledged).toBe(3);
  });

  it('survives a flood of malformed packets: each counted, the connection closed, the datalogger back after reconnecting', async () => {
    const { stack, logger, lines } = await setup();
    const junk = Buffer.from('##0010QN=1;ST=32AAAA\r\n'.repeat(1000), 'latin1');
    await logger.sendRaw(junk);
    const stats = stack.source.listener.stats;
    await until('the connection closed for refusals', () => (stats.closedForRefusals > 0 ? true : undefined));
    expect(stats.refused.HJ212_MALFORMED + stats.refused.HJ212_BAD_CRC).toBeGreaterThanOrEqual(16);
    // logged in samples, not once per packet
    expect(lines.filter((l) => String(l['msg']).startsWith('packet refused')).length).toBeLessThanOrEqual(5);
    const before = stack.samples.length;
    await logger.connected();
    await until('data after the reconnect', async () => {
      await logger.send('realtime');
      return stack.samples.length > before ? true : undefined;
    });
  });

  it('refuses an unknown MN and a wrong PW: counted, not answered, logged without the password', async () => {
    const { stack, port, lines } = await setup();
    const stranger = await startHj212Datalogger({
      port,
      outlets: [{ mn: 'UNKNOWN00001', password: '123456', profile: 'boiler-stack' }],
      realtimeEveryMs: 0,
      minuteEveryMs: 0,
      hourEveryMs: 0,
      reconnectMs: 60_000,
    });
    cleanups.push(() => stranger.close());
    await stranger.send('realtime');
    const wrongPw = await startHj212Datalogger({
      port,
      outlets: [{ mn: STACK_MN, password: 'not-the-pw-42', profile: 'boiler-stack' }],
      realtimeEveryMs: 0,
      minuteEveryMs: 0,
      hourEveryMs: 0,
      reconnectMs: 60_000,
    });
    cleanups.push(() => wrongPw.close());
    await wrongPw.send('realtime');
    const stats = stack.source.listener.stats;
    await until('both refused', () =>
      stats.refused.HJ212_UNKNOWN_MN === 1 && stats.refused.HJ212_BAD_PASSWORD === 1 ? true : undefined,
    );
    expect(stranger.acknowledged + wrongPw.acknowledged).toBe(0);
    expect(JSON.stringify(lines)).not.toContain('not-the-pw-42');
    expect(lines.some((l) => String(l['msg']).includes('MN UNKNOWN00001 is not configured'))).toBe(true);
  });

  it('a datalogger that disconnects mid-packet: the half packet is dropped and counted, the device reported lost', async () => {
    const { stack, logger } = await setup();
    const half = encodePacket(
      uploadSegment({
        qn: '20261206103000002',
        st: '31',
        command: '2011',
        pw: '123456',
        mn: STACK_MN,
        reply: true,
        dataTime: '20261206103000',
        factors: [{ code: 'a21026', values: { Rtd: 55.5 } }],
      }),
    ).subarray(0, 40);
    const before = stack.samples.length;
    await logger.sendRaw(half);
    logger.disconnect();
    await until('lost reported', () => stack.lost[0]);
    expect(stack.lost[0]).toMatchObject({ code: 'HJ212_DISCONNECTED' });
    expect(stack.source.listener.stats.truncated).toBe(1);
    expect(stack.samples.length).toBe(before);
  });
});
