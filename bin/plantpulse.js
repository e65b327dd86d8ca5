#!/usr/bin/env node
// The `plantpulse` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('plantpulse: dist/ is missing. Run `npm run build` in the package directory first.\n');
  process.exit(2);
}
await import(entry.href);
