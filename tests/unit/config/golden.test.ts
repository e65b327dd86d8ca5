import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/load-agent-config.js';
import { loadCloudConfig } from '../../../config/load.js';
import { checkGoldenCase, goldenCases } from '../../helpers/golden-cases.js';

/**
 * The config machinery's golden cases (tests/helpers/golden-cases.ts): YAML, references, unions, positions. Cases
 * named cloud-* use the cloud schema, the rest the agent's. Each component's own cases live in its folder
 * (tests/unit/sources/component-cases.test.ts).
 */
const cases = goldenCases(join(import.meta.dirname, 'cases'));

describe('config golden cases', () => {
  it('has both valid and invalid cases', () => {
    expect(cases.filter((c) => c.error === undefined).length).toBeGreaterThanOrEqual(4);
    expect(cases.filter((c) => c.error !== undefined).length).toBeGreaterThanOrEqual(7);
  });

  for (const c of cases) {
    it(c.name, () => checkGoldenCase(c, c.name.startsWith('cloud-') ? loadCloudConfig : loadAgentConfig));
  }
});
