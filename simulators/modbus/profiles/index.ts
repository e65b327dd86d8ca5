import type { SimProfile } from '../profile.js';
import { pressProfile } from './press.js';

/** Built-in simulator profiles by name (an explicit typed registry). */
export const builtinProfiles = {
  press: pressProfile,
} satisfies Record<string, (opts?: { unitId?: number }) => SimProfile>;

export type BuiltinProfileName = keyof typeof builtinProfiles;
