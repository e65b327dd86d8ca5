/** The benchmark PLC: `tags` REALs back to back in DB1 (DB1.DBD0, DB1.DBD4, …), each with a distinct value. */
import type { S7PointSpec } from '../../protocols/s7/point.js';
import type { S7Profile } from '../../simulators/s7/s7-profile.js';

export function benchS7Points(tags: number): S7PointSpec[] {
  return Array.from({ length: tags }, (_, i) => ({
    name: `t${i}`,
    address: `DB1.DBD${i * 4}`,
    type: 'real' as const,
  }));
}

export function benchS7Profile(tags: number): S7Profile {
  return {
    name: 'bench',
    tickMs: 60_000,
    variables: benchS7Points(tags).map((p, i) => ({ ...p, initial: i / 4 })),
  };
}
