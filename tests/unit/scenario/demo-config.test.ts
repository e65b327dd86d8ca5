import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { demoAgentYaml, demoCloudYaml } from '../../../cli/demo/demo-configs.js';
import { manualInstallHint } from '../../../cli/demo/prerequisites.js';
import { openRunDir, type RunDir } from '../../../cli/demo/run-dir.js';
import { loadCloudConfig } from '../../../config/load.js';
import { scenarioAnalytics } from '../../../simulators/scenario/analytics-config.js';
import { bundledScenarioPath, loadScenario } from '../../../simulators/scenario/load-scenario.js';

describe('demo configuration', () => {
  let dir: string;
  let run: RunDir;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-demo-cfg-'));
    run = await openRunDir(join(dir, 'run'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a cloud config with the scenario analytics that the cloud loader accepts, secrets by reference', async () => {
    const scenario = (await loadScenario(bundledScenarioPath())).config;
    const pw = await run.secret('agent');
    const ingest = await run.secret('ingest');
    const file = await run.write(
      'cloud.yaml',
      demoCloudYaml({
        influxUrl: 'http://127.0.0.1:8086',
        database: 'plantpulse',
        users: [
          { username: 'gw', passwordFile: pw.file },
          { username: 'ingest', passwordFile: ingest.file },
        ],
        ingestPasswordFile: ingest.file,
        spoolPath: join(dir, 'spool'),
        apiPort: 0,
        analytics: scenarioAnalytics(scenario),
      }),
    );
    const loaded = await loadCloudConfig(file);
    const a = loaded.config.analytics;
    expect(a?.machines?.map((m) => m.device).sort()).toEqual([
      'cnc-01',
      'cnc-02',
      'imm-01',
      'lathe-01',
      'press-01',
      'press-02',
    ]);
    expect(a?.machines?.find((m) => m.device === 'imm-01')?.state.kind).toBe('packml');
    // ideal cycle per part: the moulding machine's 32 s shot makes 4 parts
    expect(a?.machines?.find((m) => m.device === 'imm-01')?.idealCycle).toBe(8000);
    expect(a?.meters?.find((m) => m.carrier === 'natural_gas')?.device).toBe('boiler-01-gas');
    // the main incomer is not summed with its own sub-meters
    expect(a?.meters?.some((m) => m.device === 'meter-main')).toBe(false);
    expect(a?.alarms?.find((r) => r.metric === 'nox_mg_m3')?.high).toBe(150);
    // the demo sets the electricity 等价值 the product does not build in, and says what the number is
    expect(a?.energyTree.nodes.find((n) => n.level === 'plant')?.meters).toEqual(['dtu-incomer']);
    expect(a?.standardCoal.electricityEqualValue).toMatchObject({
      value: 0.3007,
      unit: 'kgce/kWh',
      year: 2022,
    });
    expect(JSON.stringify(a?.standardCoal.electricityEqualValue)).toMatch(/供电标准煤耗 300\.7.*demo value/);
    // the password came from the secrets file, and the YAML itself holds only the reference
    expect(loaded.config.broker?.users[0]?.password).toBe(pw.value);
    expect(loaded.secrets).toContain('broker.users[0].password');
  });

  it('generates an agent config the agent loader accepts', async () => {
    const pw = await run.secret('agent2');
    const file = await run.write(
      'agent.yaml',
      demoAgentYaml({
        site: 'cq-autoparts',
        node: 'gw',
        brokerUrl: 'mqtt://127.0.0.1:1883',
        passwordFile: pw.file,
        outboxPath: join(dir, 'outbox'),
        devices: [
          {
            id: 'press-01',
            modbus: { url: 'tcp://127.0.0.1:1502', unitId: 1 },
            poll: [{ every: '1s', points: [{ name: 'state_code', table: 'holding', address: 100 }] }],
          },
        ],
      }),
    );
    const loaded = await loadAgentConfig(file);
    expect(loaded.config.mqtt.password).toBe(pw.value);
  });

  it('says what to install, and where, when there is no apt', () => {
    const text = manualInstallHint(['influxdb', 'socat']);
    expect(text).toMatch(/influxd \(InfluxDB 1\.x/);
    expect(text).toMatch(/brew install influxdb@1/);
    expect(text).toMatch(/socat:/);
    expect(manualInstallHint(['socat'])).not.toMatch(/influxd/);
  });
});
