/**
 * Bounds on what one edge node can make the ingester keep (README "Security / Ingester"): a gateway announcing
 * device after device, or a device with ever more metrics, is refused past `maxDevicesPerNode` /
 * `maxMetricsPerDevice` — each refusal dead-lettered and counted, the warnings rate-limited — while the devices and
 * metrics already known keep being stored, and no rebirth storm is asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesValue } from '../helpers/prometheus-text.js';
import { type IngestRig, metric, startIngestRig } from './ingest-rig.js';

const ATTACK_DEVICES = 20;

describe('device and metric bounds', () => {
  let rig: IngestRig;
  beforeAll(async () => {
    rig = await startIngestRig('pp_ingest_bounds', {
      maxDevicesPerNode: 3,
      maxMetricsPerDevice: 4,
      warnings: { max: 2, window: '1h' },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses devices and metrics past the bounds and keeps storing the known ones', async () => {
    const now = Date.now();
    await rig.publish('NBIRTH', undefined, []);
    for (const d of ['dev-0', 'dev-1', 'dev-2']) await rig.publish('DBIRTH', d, [metric('v', 1, now)]);
    for (let i = 0; i < ATTACK_DEVICES; i++)
      await rig.publish('DBIRTH', `flood-${i}`, [metric('v', 666, now)]);
    await rig.publish('DDATA', 'flood-0', [metric('v', 667, now)]);
    // a known device reborn with more metrics than the bound: the first four are kept
    const seven = Array.from({ length: 7 }, (_, i) => metric(`m${i}`, i, now));
    await rig.publish('DBIRTH', 'dev-0', seven);
    await rig.publish('DDATA', 'dev-0', [metric('m0', 10, now + 1), metric('m6', 16, now + 1)]);
    await rig.publish('DDATA', 'dev-1', [metric('v', 42, now + 1)]); // last: the victim still stores

    expect((await rig.stored('dev-1', 'v', 42)).map((r) => r.value)).toEqual([1, 42]);
    expect((await rig.values('dev-0', 'm0')).map((r) => r.value)).toEqual([0, 10]);
    expect(await rig.values('dev-0', 'm3')).toHaveLength(1);
    expect(await rig.values('dev-0', 'm4')).toEqual([]);
    expect(await rig.values('dev-0', 'm6')).toEqual([]);
    expect(await rig.values('flood-0', 'v')).toEqual([]);
    expect(await rig.values(`flood-${ATTACK_DEVICES - 1}`, 'v')).toEqual([]);

    // every refused message is a dead letter with its reason code: 20 births + 1 DDATA, the big birth, its DDATA
    const dead = await rig.deadLettered(ATTACK_DEVICES + 3);
    expect(dead.filter((e) => e.code === 'DEVICE_LIMIT')).toHaveLength(ATTACK_DEVICES + 1);
    expect(dead.filter((e) => e.code === 'METRIC_LIMIT')).toHaveLength(2);
    expect(dead.find((e) => e.code === 'DEVICE_LIMIT')?.reason).toContain('maxDevicesPerNode');

    const m = await rig.metrics();
    expect(seriesValue(m, 'plantpulse_ingest_rejected_total', { code: 'DEVICE_LIMIT' })).toBe(
      ATTACK_DEVICES + 1,
    );
    expect(seriesValue(m, 'plantpulse_ingest_rejected_total', { code: 'METRIC_LIMIT' })).toBe(3 + 1);
    expect(seriesValue(m, 'plantpulse_ingest_problems_total', { code: 'DEVICE_LIMIT' })).toBe(
      ATTACK_DEVICES + 1,
    );
    // refusals ask no rebirth: it would only bring the same devices again
    expect(seriesValue(m, 'plantpulse_ingest_problems_total', { code: 'REBIRTH_REQUESTED' })).toBeUndefined();

    // warned twice per code per window (ingest.warnings.max), the rest counted
    const warned = rig.logLines.filter((l) => l['msg'] === 'message problem' && l['code'] === 'DEVICE_LIMIT');
    expect(warned).toHaveLength(2);
    expect(seriesValue(m, 'plantpulse_ingest_warnings_suppressed_total')).toBe(ATTACK_DEVICES + 1 - 2);
  }, 120_000);
});
