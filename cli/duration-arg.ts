import { parseDuration } from '../config/units.js';

/** A duration given on the command line, as in configs (`500ms`, `1s`, `2m`): milliseconds, or undefined. */
export function durationArg(text: string): number | undefined {
  try {
    const ms = parseDuration(text);
    return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}
