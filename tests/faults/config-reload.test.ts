/**
 * Live reconfiguration (SIGHUP) of a real agent under continuous polling, counted like every fault scenario: each
 * sequence device's values 1…n must reach InfluxDB exactly once. One reload adds a device, changes another's poll
 * interval and removes a third; before it, a file with problems and a file changing a restart-only setting are
 * refused with the old configuration still running. A Sparkplug observer checks the session rules throughout and
 * sees the births carry the new config hash.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInfluxQL } from '../../protocols/influx/influxql-query.js';
import { SparkplugObserver } from '../e2e/sparkplug-session-observer.js';
import { type Rig, sequenceProblems, startRig, until } from './rig.js';
import { type SequenceDevice, startSequenceDevice } from './sequence-device.js';

const SITE = 'config-reload';

function agentYaml(rig: Rig, devices: { id: string; url: string; everyMs: number }[], keepalive = '5s') {
  return [
    `site: ${SITE}`,
    'node: gw-1',
    'mqtt:',
    `  url: mqtt://127.0.0.1:${rig.uplink.port}`,
    '  username: agent',
    '  password: ${env:AGENT_MQTT_PASSWORD}',
    `  keepalive: ${keepalive}`,
    'outbox:',
    `  path: ${join(rig.dir, 'agent-data')}`,
    'http: { port: 0 }',
    'devices:',
    ...devices.flatMap((d) => [
      `  - id: ${d.id}`,
      `    modbus: { url: "${d.url}", unitId: 1, timeout: 5s }`,
      `    poll: [ { every: ${d.everyMs}ms, points: [ { name: seq, table: holding, address: 0, type: uint32 } ] } ]`,
    ]),
  ].join('\n');
}

describe('fault: configuration reload under load', () => {
  let rig: Rig;
  let extra: SequenceDevice;
  const observer = new SparkplugObserver(SITE, 'gw-1');
  const configFile = () => join(rig.dir, 'agent.yaml');
  const hashOf = async () => {
    const m = await rig.agentMetrics();
    const key = [...m.keys()].find((k) => k.startsWith('plantpulse_config_info{'));
    return /hash="([0-9a-f]{64})"/.exec(key ?? '')?.[1];
  };
  const reloads = async (result: string) =>
    (await rig.agentMetrics()).get(`plantpulse_config_reloads_total{result="${result}"}`);
  const original = () =>
    rig.devices.map((d, i) => ({ id: rig.deviceIds[i] ?? '', url: d.url, everyMs: 100 }));
  const hup = async (result: string) => {
    const before = rig.agent.lines.length;
    rig.agent.child.kill('SIGHUP');
    return rig.agent.waitFor(
      (l) => rig.agent.lines.indexOf(l) >= before && String(l['msg']).startsWith(result),
      30_000,
    );
  };

  beforeAll(async () => {
    rig = await startRig({ name: SITE, devices: 3, pollMs: 100 });
    extra = await startSequenceDevice();
    await observer.connect(rig.broker.url, {
      username: rig.broker.service.username,
      password: rig.broker.service.password,
      protocolVersion: 4,
    });
    await rig.startCloud();
    await rig.startAgent();
    observer.failOnExit(rig.agent, 'agent');
  }, 120_000);

  afterAll(async () => {
    observer.expectExits();
    await observer.close();
    await extra?.close();
    await rig?.close();
  });

  it('refuses a file with problems, logging every one, and keeps the running configuration', async () => {
    await rig.produce(10);
    const hash = await hashOf();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const nbirth = observer.seen.find((s) => s.type === 'NBIRTH');
    expect(nbirth?.payload?.metrics.find((m) => m.name === 'Properties/Config Hash')?.value).toBe(hash);

    const good = agentYaml(rig, original());
    await writeFile(
      configFile(),
      good
        .replace('every: 100ms', 'every: soon')
        .replace('type: uint32', 'type: uint33')
        .concat('\nunknownKey: 1'),
    );
    const refused = await hup('configuration reload refused');
    expect(refused['problems']).toHaveLength(3);
    expect(String((refused['problems'] as string[]).join('\n'))).toMatch(/every[\s\S]*type[\s\S]*unknownKey/);
    await rig.produce(10); // still polling every device
    expect(await hashOf()).toBe(hash);

    // a setting only a restart applies: refused as a whole, saying which
    await writeFile(configFile(), agentYaml(rig, original(), '7s'));
    const restart = await hup('configuration reload refused');
    expect(restart['needRestart']).toEqual(['mqtt']);
    expect(await reloads('refused')).toBe(2);
    expect(await hashOf()).toBe(hash);
  }, 120_000);

  it('adds, changes and removes devices under load without losing or repeating a sample', async () => {
    const before = await hashOf();
    await writeFile(
      configFile(),
      agentYaml(rig, [
        { id: 'seq-1', url: rig.devices[0]?.url ?? '', everyMs: 100 },
        { id: 'seq-2', url: rig.devices[1]?.url ?? '', everyMs: 130 },
        { id: 'seq-4', url: extra.url, everyMs: 100 },
      ]),
    );
    const mark = observer.last;
    const applied = await hup('configuration reloaded');
    expect(applied).toMatchObject({ added: ['seq-4'], changed: ['seq-2'], removed: ['seq-3'] });
    const after = await hashOf();
    expect(after).not.toBe(before);
    expect(applied['hash']).toBe(after);

    // the births again, with the new hash; the removed device leaves once its samples are out
    const nbirth = await observer.waitFor((s) => s.type === 'NBIRTH', mark);
    expect(nbirth.payload?.metrics.find((m) => m.name === 'Properties/Config Hash')?.value).toBe(after);
    await observer.waitFor((s) => s.type === 'DBIRTH' && s.device === 'seq-4', mark);
    await observer.waitFor((s) => s.type === 'DDEATH' && s.device === 'seq-3', mark);
    const removedAt = rig.devices[2]?.served() ?? 0;

    // keep polling: the unchanged and the changed devices go on, the new one starts from 1
    const start = [rig.devices[0]?.served() ?? 0, rig.devices[1]?.served() ?? 0, extra.served()];
    await until(
      '20 more reads of seq-1, seq-2 and seq-4',
      () =>
        (rig.devices[0]?.served() ?? 0) >= (start[0] ?? 0) + 20 &&
        (rig.devices[1]?.served() ?? 0) >= (start[1] ?? 0) + 20 &&
        extra.served() >= (start[2] ?? 0) + 20
          ? true
          : undefined,
      60_000,
    );
    expect(rig.devices[2]?.served()).toBe(removedAt); // the removed device is no longer read

    extra.freeze();
    const seqs = await rig.finish();
    rig.deviceIds.forEach((id, i) => {
      const served = rig.devices[i]?.served() ?? 0;
      expect(sequenceProblems(seqs.get(id) ?? [], served), id).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    });
    const added = await until(
      'InfluxDB to hold every value of the added device',
      async () => {
        const rows = await queryInfluxQL(rig.influxUrl, {
          db: rig.db,
          q: `SELECT seq FROM telemetry WHERE device = 'seq-4'`,
        });
        const values = rows.map((r) => Number(r['seq']));
        return sequenceProblems(values, extra.served()).missing.length === 0 ? values : undefined;
      },
      60_000,
      500,
    );
    expect(sequenceProblems(added, extra.served())).toEqual({ missing: [], duplicated: [], unexpected: [] });
    const m = await rig.agentMetrics();
    expect(m.get('plantpulse_config_reloads_total{result="applied"}')).toBe(1);
    expect(m.get('plantpulse_outbox_unpublishable_total')).toBe(0);
    expect(m.get('plantpulse_dropped_total{code="SAMPLE_UNPUBLISHABLE"}')).toBe(0);
    expect(observer.violations).toEqual([]);
  }, 240_000);
});
