/**
 * The accepted timestamp window (README "Security / Ingester"): a gateway whose clock says 2255 or 1970 — broken or
 * hostile — gets those values refused, dead-lettered with their original payload and counted, while its values of
 * the right time keep being stored and "the latest value" in InfluxDB stays the real latest one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload } from '../../protocols/sparkplug/index.js';
import { seriesValue } from '../helpers/prometheus-text.js';
import { deadLetterPayload, type IngestRig, metric, startIngestRig } from './ingest-rig.js';

const YEAR_2255 = Date.UTC(2255, 0, 1);
const YEAR_1970 = Date.UTC(1970, 0, 1, 0, 0, 1);
const DAY = 86_400_000;

describe('accepted timestamp window', () => {
  let rig: IngestRig;
  beforeAll(async () => {
    // maxAge 2d: configurable (the default is 366d); maxFuture keeps its default of 5 minutes
    rig = await startIngestRig('pp_ingest_ts', { acceptWindow: { maxAge: '2d' } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses values from 2255, 1970 and older than maxAge, and keeps storing the good ones', async () => {
    const now = Date.now();
    await rig.publish('NBIRTH', undefined, []);
    await rig.publish('DBIRTH', 'press-07', [metric('temp', 20, now - 2000)]);
    await rig.publish('DDATA', 'press-07', [metric('temp', 21, now - 1000)]);
    const future = await rig.publish('DDATA', 'press-07', [metric('temp', 99, YEAR_2255)]);
    const past = await rig.publish('DDATA', 'press-07', [metric('temp', 98, YEAR_1970)]);
    const tooOld = await rig.publish('DDATA', 'press-07', [metric('temp', 97, now - 3 * DAY)]);
    // one message with good and bad values: the good one is stored, the bad one refused
    const mixed = await rig.publish('DDATA', 'press-07', [
      metric('temp', 22, now),
      metric('temp', 96, now + 10 * 60_000),
    ]);
    await rig.publish('DDATA', 'press-07', [metric('temp', 23, now + 60_000)]); // within maxFuture (5m)
    const stored = await rig.stored('press-07', 'temp', 23);
    expect(stored.map((r) => r.value)).toEqual([20, 21, 22, 23]);
    expect(await rig.latest('press-07', 'temp')).toBe(23);

    const dead = await rig.deadLettered(4);
    expect(dead).toHaveLength(4);
    for (const e of dead) {
      expect(e).toMatchObject({ kind: 'message', code: 'TIMESTAMP_OUT_OF_WINDOW' });
      expect(e.reason).toContain('outside the accepted window');
    }
    // nothing lost: each dead letter holds the message exactly as published, ready to replay
    expect(dead.map((e) => deadLetterPayload(e).payload)).toEqual(
      [future, past, tooOld, mixed].map((p) => Buffer.from(p)),
    );
    const [first, second] = dead.map(deadLetterPayload);
    expect(first?.topic).toBe('spBv1.0/plant1/DDATA/gw1/press-07');
    expect(decodePayload(second?.payload ?? Buffer.alloc(0)).metrics[0]?.timestamp).toBe(YEAR_1970);

    const m = await rig.metrics();
    expect(seriesValue(m, 'plantpulse_ingest_rejected_total', { code: 'TIMESTAMP_OUT_OF_WINDOW' })).toBe(4);
    expect(seriesValue(m, 'plantpulse_dead_letters_total', { kind: 'message' })).toBe(4);
  }, 120_000);
});
