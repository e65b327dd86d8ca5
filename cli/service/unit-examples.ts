/**
 * The example units in deploy/systemd/: what `plantpulse install-service` writes for config/examples/ on a gateway
 * where plantpulse was installed with `npm install -g` (node in /usr/bin, the package in /usr/lib/node_modules).
 * Written by `npm run docs:config`; a test fails when they drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../version.js';
import { renderUnit, type ServiceKind } from './systemd-unit.js';

export function unitExamples(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of ['agent', 'cloud'] as ServiceKind[]) {
    out[`deploy/systemd/plantpulse-${kind}.service`] = renderUnit({
      kind,
      node: '/usr/bin/node',
      bin: '/usr/lib/node_modules/plantpulse/bin/plantpulse.js',
      config: `/etc/plantpulse/${kind}.yaml`,
      configText: readFileSync(join(root, 'config', 'examples', `${kind}.yaml`), 'utf8'),
      user: 'plantpulse',
      credentialsDir: '/etc/plantpulse/credentials',
      version: packageVersion(),
    });
  }
  return out;
}
