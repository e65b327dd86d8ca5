import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes `dir/name`: an agent config as a user writes it (YAML text), with these lines under `devices:`; the broker
 * is never dialled by the commands that read it (`agent --once`, `check`), the state folder is `dir/state`.
 */
export async function writeAgentYaml(
  dir: string,
  name: string,
  deviceLines: readonly string[],
): Promise<string> {
  const file = join(dir, name);
  await writeFile(
    file,
    [
      'site: cq-plant1',
      'node: line3-gw',
      'mqtt: { url: "mqtt://127.0.0.1:1883" }',
      `outbox: { path: ${join(dir, 'state')} }`,
      'devices:',
      ...deviceLines,
    ].join('\n'),
  );
  return file;
}
