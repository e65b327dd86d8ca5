/**
 * `npm run docs:config`: writes docs/configuration.md and every source component's sample.yaml from the specs
 * (scripts/docs/config-docs.ts), into the checkout the command runs in.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDocs } from './config-docs.js';

const root = process.cwd();
if (!existsSync(join(root, 'agent', 'sources', 'registry.ts'))) {
  process.stderr.write(`docs:config: run it at the root of the plantpulse checkout (not ${root})\n`);
  process.exit(2);
}
for (const [file, content] of Object.entries(configDocs())) {
  writeFileSync(join(root, file), content);
  process.stdout.write(`wrote ${file}\n`);
}
