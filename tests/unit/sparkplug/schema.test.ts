import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { SPARKPLUG_B_PROTO } from '../../../protocols/sparkplug/schema-text.js';

test('the embedded schema is byte-identical to protocols/sparkplug/sparkplug_b.proto', () => {
  const file = fileURLToPath(new URL('../../../protocols/sparkplug/sparkplug_b.proto', import.meta.url));
  // If this fails: copy sparkplug_b.proto into the template literal of schema-text.ts (no other edits).
  expect(SPARKPLUG_B_PROTO).toBe(readFileSync(file, 'utf8'));
});
