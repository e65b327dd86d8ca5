/**
 * The bounded session-queue store is an aedes persistence: it passes aedes-persistence's own contract suite
 * (abstract.js, the one every aedes persistence runs), with limits high enough not to drop.
 */
import assert from 'node:assert';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BoundedSessionQueues } from '../../cloud/broker/session-queue.js';

type Assert = typeof assert;
interface T {
  assert: Assert;
  plan(n: number): void;
  diagnostic(msg: string): void;
}

const require = createRequire(import.meta.url);
const abstractPersistence = require('aedes-persistence/abstract.js') as (opts: {
  test: (name: string, fn: (t: T) => Promise<void>) => void;
  persistence: () => Promise<unknown>;
  testAsync: boolean;
}) => void;

/** node:test's `t` as far as abstract.js uses it: assertions counted against `plan`. */
function nodeTestContext(): { t: T; check(): void } {
  let planned: number | undefined;
  let count = 0;
  const counted = new Proxy(assert, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        count++;
        return (v as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return {
    t: {
      assert: counted,
      plan: (n) => {
        planned = n;
      },
      diagnostic: () => undefined,
    },
    check: () => {
      if (planned !== undefined) expect(count, 'assertions run against t.plan').toBe(planned);
    },
  };
}

describe('BoundedSessionQueues passes aedes-persistence abstract.js', () => {
  abstractPersistence({
    testAsync: true,
    persistence: async () =>
      new BoundedSessionQueues({ maxMessages: 1_000_000, maxBytes: 1 << 30 }, () => undefined),
    test: (name, fn) =>
      it(name, async () => {
        const ctx = nodeTestContext();
        await fn(ctx.t);
        ctx.check();
      }),
  });
});
