/**
 * `--watch-config` and SIGHUP (cli/config-reload.ts) against the real file system and the real agent config loader:
 * a file replaced by renaming a new one over it (how editors and config management write) reloads once; a file
 * with problems is refused with every problem logged and never reaches `reload`.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../agent/config/agent-spec.js';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { type ConfigReloader, reloadConfigOn } from '../../../cli/config-reload.js';
import type { LoadedConfig } from '../../../config/load.js';
import { captureLog } from '../../helpers/log-capture.js';
import { until } from '../../helpers/until.js';

const yaml = (every: string) =>
  [
    'site: s1',
    'node: n1',
    'mqtt: { url: "mqtt://127.0.0.1:1883" }',
    'outbox: { path: ":memory:" }',
    'devices:',
    '  - id: d1',
    '    modbus: { url: "tcp://127.0.0.1:1502" }',
    `    poll: [ { every: ${every}, points: [ { name: a, table: holding, address: 0, type: uint16 } ] } ]`,
  ].join('\n');

describe('config reload triggers', () => {
  let dir: string;
  let reloader: ConfigReloader | undefined;
  afterEach(async () => {
    reloader?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads once when a new file is renamed over the config (--watch-config)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-watch-'));
    const file = join(dir, 'agent.yaml');
    await writeFile(file, yaml('1s'));
    const seen: LoadedConfig<AgentConfig>[] = [];
    const { log, lines } = captureLog();
    reloader = reloadConfigOn({
      file,
      load: (f) => loadAgentConfig(f),
      reload: async (l) => {
        seen.push(l);
      },
      log,
      watch: true,
    });
    await writeFile(join(dir, '.agent.yaml.tmp'), yaml('2s'));
    await rename(join(dir, '.agent.yaml.tmp'), file);
    await until('the reload', () => (seen.length > 0 ? true : undefined), 10_000);
    expect(seen[0]?.config.devices[0]?.poll?.[0]?.every).toBe(2000);
    // a second change after the first: watched still (the watch is on the directory, not the replaced inode)
    await writeFile(join(dir, '.agent.yaml.tmp'), yaml('3s'));
    await rename(join(dir, '.agent.yaml.tmp'), file);
    await until('the second reload', () => (seen.length > 1 ? true : undefined), 10_000);
    expect(seen.at(-1)?.config.devices[0]?.poll?.[0]?.every).toBe(3000);
    expect(lines.filter((l) => l['trigger'] === 'file changed').length).toBe(seen.length);
  });

  it('refuses a file with problems, logging each, and never calls reload', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-watch-'));
    const file = join(dir, 'agent.yaml');
    await writeFile(file, `${yaml('soon')}\nextra: 1`);
    let reloads = 0;
    const refused: (readonly string[])[] = [];
    const { log, lines } = captureLog();
    reloader = reloadConfigOn({
      file,
      load: (f) => loadAgentConfig(f),
      reload: async () => {
        reloads++;
      },
      refused: (p) => refused.push(p),
      log,
      watch: false,
    });
    await reloader.trigger('SIGHUP');
    expect(reloads).toBe(0);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toHaveLength(2);
    const problemLines = lines.filter((l) => l['msg'] === 'configuration problem').map((l) => l['problem']);
    expect(problemLines).toEqual(refused[0]);
    expect(problemLines.join('\n')).toMatch(/every[\s\S]*extra/);
    expect(lines.some((l) => String(l['msg']).startsWith('configuration reload refused: 2 problems'))).toBe(
      true,
    );
  });
});
