/**
 * The cloud and agent of an end-to-end test as a user runs them: `plantpulse cloud` with its embedded broker (a user
 * for the gateway, one for the ingester) writing to a test database, and an agent.yaml that dials that broker. The
 * passwords come from the environment (`PIPELINE_ENV`), as `${env:…}` references in both files.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliProcess, spawnCli } from './cli-process.js';
import { influxUrl } from './services.js';

export const PIPELINE_ENV = {
  AGENT_MQTT_PASSWORD: 'agent-secret-1',
  INGEST_MQTT_PASSWORD: 'ingest-secret-2',
};

/**
 * Writes `dir/cloud.yaml` (broker on a free port, users `node` and `ingest`, InfluxDB `db`, spool in
 * `dir/cloud-data`), starts the cloud and resolves once its broker listens.
 */
export async function startPipelineCloud(
  dir: string,
  o: { node: string; db: string; clientId: string },
): Promise<{ cloud: CliProcess; brokerUrl: string }> {
  const file = join(dir, 'cloud.yaml');
  await writeFile(
    file,
    [
      'broker:',
      '  port: 0',
      '  users:',
      `    - { username: ${o.node}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
      '    - { username: ingest, password: "${env:INGEST_MQTT_PASSWORD}" }',
      `mqtt: { username: ingest, password: "\${env:INGEST_MQTT_PASSWORD}", clientId: ${o.clientId} }`,
      `influx: { url: ${influxUrl()}, database: ${o.db} }`,
      `spool: { path: ${join(dir, 'cloud-data')} }`,
    ].join('\n'),
  );
  const cloud = spawnCli(['cloud', '-c', file], { env: PIPELINE_ENV });
  const up = await cloud.waitFor(
    (l) => typeof l['msg'] === 'string' && l['msg'].startsWith('embedded MQTT broker listening'),
  );
  return { cloud, brokerUrl: String(up['url']) };
}

/** Writes `dir/agent.yaml` for gateway `node` of `site` on that broker (outbox in `dir/agent-data`), these device lines. */
export async function writePipelineAgentYaml(
  dir: string,
  o: { site: string; node: string; brokerUrl: string; deviceLines: readonly string[] },
): Promise<string> {
  const file = join(dir, 'agent.yaml');
  await writeFile(
    file,
    [
      `site: ${o.site}`,
      `node: ${o.node}`,
      `mqtt: { url: ${o.brokerUrl}, username: ${o.node}, password: "\${env:AGENT_MQTT_PASSWORD}" }`,
      `outbox: { path: ${join(dir, 'agent-data')} }`,
      'devices:',
      ...o.deviceLines,
    ].join('\n'),
  );
  return file;
}
