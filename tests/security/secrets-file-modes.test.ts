/**
 * Data at rest is private to the service account whatever the umask (README "Security / Secrets at rest"): the
 * agent's state directory and the ingester's data directory are 0700; the outbox and the spool (with SQLite's -wal
 * and -shm), the bdSeq state file and the dead letters are 0600 — after a real agent and a real ingester ran.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agent/agent.js';
import { startCloud } from '../../cloud/cloud.js';
import { ensurePrivateFile } from '../../protocols/durable-queue/private-files.js';
import { pollUntil } from '../../scripts/services/poll-until.js';
import { startModbusSimulator } from '../../simulators/modbus/modbus-simulator.js';
import { pressProfile } from '../../simulators/modbus/profiles/press.js';
import { agentConfig, cloudConfig } from '../helpers/configs.js';
import { freshDatabase, influxUrl } from '../helpers/services.js';

const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);

describe('file modes of data at rest', () => {
  let root: string;
  let umask: number;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    umask = process.umask(0o022); // the usual default: files 0644 and directories 0755 unless we say otherwise
    root = await mkdtemp(join(tmpdir(), 'pp-modes-'));
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    process.umask(umask);
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the agent’s and the ingester’s directories 0700 and their files 0600', async () => {
    const log = pino({ level: 'silent' });
    const cloudDir = join(root, 'cloud-data');
    const db = await freshDatabase('pp_modes');
    const cloud = await startCloud(
      cloudConfig({
        broker: {
          port: 0,
          users: [
            { username: 'gw1', password: 'pw-gw1-123' },
            { username: 'ingest', password: 'pw-ingest-456' },
          ],
        },
        mqtt: { username: 'ingest', password: 'pw-ingest-456', clientId: 'modes-ingest' },
        influx: { url: influxUrl(), database: db },
        spool: { path: cloudDir },
      }),
      log,
    );
    closers.push(() => cloud.stop());
    const brokerUrl = cloud.brokerUrl ?? '';
    const sim = await startModbusSimulator({ profile: pressProfile(), host: '127.0.0.1', port: 0 });
    closers.push(() => sim.close());
    const agentDir = join(root, 'agent-state');
    const agent = await startAgent(
      agentConfig({
        site: 'plant1',
        node: 'gw1',
        mqtt: { url: brokerUrl, username: 'gw1', password: 'pw-gw1-123' },
        outbox: { path: agentDir },
        devices: [
          {
            id: 'press-07',
            modbus: { url: sim.url, unitId: 1, timeout: '2s' },
            poll: [
              { every: '200ms', points: [{ name: 'power_kw', table: 'input', address: 0, type: 'float32' }] },
            ],
          },
        ],
      }),
      log,
    );
    closers.push(() => agent.stop());
    await pollUntil(async () => (cloud.stats().ingest.messages > 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'messages at the ingester',
    });
    // a message no host can decode ends as a dead letter
    const rogue = await mqtt.connectAsync(brokerUrl, {
      username: 'gw1',
      password: 'pw-gw1-123',
      reconnectPeriod: 0,
    });
    await rogue.publishAsync('spBv1.0/plant1/DDATA/gw1/press-07', Buffer.from([0xff, 0xff]), { qos: 1 });
    await rogue.endAsync();
    const deadLetters = join(cloudDir, 'dead-letter.jsonl');
    await pollUntil(async () => ((await stat(deadLetters).catch(() => undefined)) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the dead letter file',
    });

    expect(await mode(agentDir)).toBe('700');
    expect(await mode(cloudDir)).toBe('700');
    for (const f of ['outbox.db', 'outbox.db-wal', 'outbox.db-shm', 'edge-state.json']) {
      expect([f, await mode(join(agentDir, f))]).toEqual([f, '600']);
    }
    for (const f of ['spool.db', 'spool.db-wal', 'spool.db-shm', 'dead-letter.jsonl']) {
      expect([f, await mode(join(cloudDir, f))]).toEqual([f, '600']);
    }
  }, 120_000);

  it('narrows an existing world-readable database and its -wal/-shm', async () => {
    const { writeFile } = await import('node:fs/promises');
    const f = join(root, 'old.db');
    for (const ext of ['', '-wal', '-shm']) await writeFile(f + ext, '', { mode: 0o644 });
    ensurePrivateFile(f);
    for (const ext of ['', '-wal', '-shm']) expect(await mode(f + ext)).toBe('600');
  });
});
