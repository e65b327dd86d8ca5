import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { loadCloudConfig } from '../../../config/load.js';
import { verifySecret } from '../../../config/password-hash.js';

const EXAMPLES = join(import.meta.dirname, '../../../config/examples');
const creds = mkdtempSync(join(tmpdir(), 'pp-creds-'));
writeFileSync(join(creds, 'opcua-password'), 'opcua-example-pw\n');
const env = {
  MQTT_PASSWORD: 'mqtt-example-pw',
  PLANTPULSE_INGEST_PASSWORD: 'ingest-example-pw',
  INFLUX_TOKEN: 'influx-example-token',
  CREDENTIALS_DIRECTORY: creds,
};
afterAll(() => rmSync(creds, { recursive: true, force: true }));

describe('config/examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

  it('ships the agent, minimal agent and cloud examples', () => {
    expect(files).toEqual(expect.arrayContaining(['agent.yaml', 'agent-minimal.yaml', 'cloud.yaml']));
  });

  for (const f of files) {
    it(`${f} loads without problems`, async () => {
      const file = join(EXAMPLES, f);
      const loaded = f.startsWith('cloud')
        ? await loadCloudConfig(file, { env })
        : await loadAgentConfig(file, { env });
      expect(loaded.file).toBe(file);
      expect(loaded.secrets.length).toBeGreaterThan(0);
    });
  }

  it('agent.yaml is the reference example, with its secrets resolved from references', async () => {
    const { config, secrets } = await loadAgentConfig(join(EXAMPLES, 'agent.yaml'), { env });
    expect(config.devices.map((d) => d.id)).toEqual(['press-07', 'cnc-01', 'lathe-03']);
    expect(config.mqtt.password).toBe('mqtt-example-pw');
    const cnc = config.devices[1];
    expect(cnc?.opcua?.user).toEqual({ username: 'agent', password: 'opcua-example-pw' });
    expect(secrets).toEqual(['devices[1].opcua.user.password', 'mqtt.password']);
  });

  it("cloud.yaml's hashes are well-formed placeholders that no common password opens", async () => {
    const { config } = await loadCloudConfig(join(EXAMPLES, 'cloud.yaml'), { env });
    const hash = config.broker?.users[0]?.passwordHash;
    expect(hash).toMatch(/^scrypt\$/);
    expect(verifySecret('change-me', hash ?? '')).toBe(false);
    expect(config.mqtt.password).toBe('ingest-example-pw');
  });
});
