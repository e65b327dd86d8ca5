/**
 * Shrinks a failing input while it keeps failing the same way (same crash signature): the target proposes smaller
 * variants, the first that still fails becomes the new input, until none does or the budget is spent.
 */
import { type CrashKind, signatureOf } from './report.js';
import { type AnyTarget, Finding, within } from './target.js';

export function kindOf(err: unknown): CrashKind {
  return err instanceof Finding ? 'finding' : 'exception';
}

/** The signature `input` fails with, or undefined when it runs clean. */
export async function failureOf(target: AnyTarget, input: unknown): Promise<string | undefined> {
  try {
    await within(
      Promise.resolve().then(() => target.run(input)),
      target.caseTimeoutMs,
      `${target.name} replay`,
    );
    return undefined;
  } catch (err) {
    return signatureOf(kindOf(err), err);
  }
}

export interface MinimiseBudget {
  runs: number;
  ms: number;
}

export async function minimise(
  target: AnyTarget,
  input: unknown,
  signature: string,
  budget: MinimiseBudget,
): Promise<{ input: unknown; runs: number; improved: boolean }> {
  if (target.shrink === undefined) return { input, runs: 0, improved: false };
  const deadline = Date.now() + budget.ms;
  let best = input;
  let runs = 0;
  let improved = false;
  for (let progress = true; progress; ) {
    progress = false;
    for (const candidate of target.shrink(best)) {
      if (runs >= budget.runs || Date.now() > deadline) return { input: best, runs, improved };
      runs++;
      if ((await failureOf(target, candidate)) === signature) {
        best = candidate;
        improved = true;
        progress = true;
        break;
      }
    }
  }
  return { input: best, runs, improved };
}
