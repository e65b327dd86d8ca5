/**
 * The dead-letter file under a flood of bad messages (README "Security / Ingester"): it is rotated before it passes
 * `ingest.deadLetter.maxFileBytes`, only `maxFiles` rotated files are kept, so the disk use stays under
 * (maxFiles + 1) × maxFileBytes; the newest refusals are the ones kept, the deletions are counted, and the ingester
 * keeps storing the gateway's good data throughout.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesValue } from '../helpers/prometheus-text.js';
import { until } from '../helpers/until.js';
import { deadLetterPayload, type IngestRig, NODE, SITE, startIngestRig } from './ingest-rig.js';

const MAX_FILE = 4096;
const MAX_FILES = 2;
const FLOOD = 200;

describe('dead-letter rotation', () => {
  let rig: IngestRig;
  beforeAll(async () => {
    rig = await startIngestRig('pp_ingest_dlq', {
      deadLetter: { maxFileBytes: MAX_FILE, maxFiles: MAX_FILES },
      warnings: { max: 1, window: '1h' },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('keeps the dead letters under the cap, the newest ones kept, and the good data flowing', async () => {
    const now = Date.now();
    await rig.publish('NBIRTH', undefined, []);
    await rig.publish('DBIRTH', 'press-07', [{ name: 'temp', datatype: 10, value: 20, timestamp: now }]);
    // garbage on the gateway's own topic: undecodable, each one a dead letter of ~200 bytes
    for (let i = 0; i < FLOOD; i++) {
      await rig.publishRaw(`spBv1.0/${SITE}/DDATA/${NODE}/press-07`, Buffer.from(`garbage #${i} \xff\xff`));
    }
    await rig.publish('DDATA', 'press-07', [{ name: 'temp', datatype: 10, value: 21, timestamp: now + 1 }]);

    expect((await rig.stored('press-07', 'temp', 21)).map((r) => r.value)).toEqual([20, 21]);
    await until('every refusal written', () =>
      rig.cloud.snapshot().deadLetters.message >= FLOOD ? true : undefined,
    );
    const m = await rig.metrics();
    expect(seriesValue(m, 'plantpulse_dead_letters_total', { kind: 'message' })).toBe(FLOOD);
    expect(seriesValue(m, 'plantpulse_dead_letter_rotations_total')).toBeGreaterThan(MAX_FILES);
    expect(seriesValue(m, 'plantpulse_dead_letter_deleted_bytes_total')).toBeGreaterThan(0);

    const files = (await readdir(rig.dataDir)).filter((f) => f.startsWith('dead-letter')).sort();
    expect(files).toEqual(['dead-letter.1.jsonl', 'dead-letter.2.jsonl', 'dead-letter.jsonl']);
    let total = 0;
    for (const f of files) {
      const { size } = await stat(join(rig.dataDir, f));
      expect(size, f).toBeLessThanOrEqual(MAX_FILE);
      total += size;
    }
    expect(total).toBeLessThanOrEqual((MAX_FILES + 1) * MAX_FILE);
    // the newest refusal is in the current file, whole; the rotated ones hold the ones just before it
    const current = await rig.deadLetters();
    const last = current.at(-1);
    expect(last?.code).toBe('SPB_DECODE');
    expect(last && deadLetterPayload(last).payload.toString()).toBe(`garbage #${FLOOD - 1} \xff\xff`);
    const previous = await rig.deadLetters('dead-letter.1.jsonl');
    expect(previous.length).toBeGreaterThan(0);
    // one warning for the whole flood (ingest.warnings.max: 1), every message counted
    const warned = rig.logLines.filter((l) => l['msg'] === 'message problem' && l['code'] === 'SPB_DECODE');
    expect(warned).toHaveLength(1);
    expect(seriesValue(m, 'plantpulse_ingest_problems_total', { code: 'SPB_DECODE' })).toBe(FLOOD);
  }, 120_000);
});
