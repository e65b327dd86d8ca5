import { readFileSync, renameSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensurePrivateDir } from '../../protocols/durable-queue/private-files.js';
import type { EnergyState } from './power-energy.js';
import type { PulseCounterState } from './pulse-counter.js';

/**
 * Where a device's virtual-sensor totals (kWh, part count) live between agent runs: one small JSON file
 * per device, replaced atomically (write temp → fsync → rename → fsync directory), so a crash or power
 * loss leaves either the old or the new file, never a torn one.
 */
export interface PersistedDerive {
  version: 1;
  device: string;
  savedAt: number;
  energy?: EnergyState;
  /** the metric the energy was integrated from; a config change keeps the total but not the last reading */
  energyFrom?: string;
  parts?: PulseCounterState;
  partsFrom?: string;
}

export type LoadOutcome =
  | { kind: 'none' }
  | { kind: 'loaded'; state: PersistedDerive }
  | { kind: 'corrupt'; reason: string; movedTo: string | undefined };

export function stateFilePath(stateDir: string, device: string): string {
  return join(stateDir, `derive-${device}.json`);
}

/**
 * Reads the state file synchronously (agent start-up only: a few hundred bytes from local disk).
 * A file that cannot be parsed is moved aside as `<file>.corrupt-<ms>` so it is kept for inspection.
 */
export function loadDeriveState(path: string, device: string, nowMs: number): LoadOutcome {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'corrupt', reason: `unreadable: ${(err as Error).message}`, movedTo: undefined };
  }
  const reason = validate(text, device);
  if (typeof reason !== 'string') return { kind: 'loaded', state: reason };
  const movedTo = `${path}.corrupt-${nowMs}`;
  try {
    renameSync(path, movedTo);
    return { kind: 'corrupt', reason, movedTo };
  } catch {
    return { kind: 'corrupt', reason, movedTo: undefined };
  }
}

function validate(text: string, device: string): PersistedDerive | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof data !== 'object' || data === null) return 'not an object';
  const d = data as Record<string, unknown>;
  if (d['version'] !== 1) return `unknown version ${String(d['version'])}`;
  if (d['device'] !== device) return `belongs to device ${String(d['device'])}`;
  const e = d['energy'] as Record<string, unknown> | undefined;
  if (e !== undefined && !(typeof e['kwh'] === 'number' && Number.isFinite(e['kwh']) && e['kwh'] >= 0)) {
    return 'energy.kwh is not a non-negative number';
  }
  const p = d['parts'] as Record<string, unknown> | undefined;
  if (
    p !== undefined &&
    !(typeof p['total'] === 'number' && Number.isInteger(p['total']) && p['total'] >= 0)
  ) {
    return 'parts.total is not a non-negative integer';
  }
  if (p?.['lastRaw'] !== undefined && !(typeof p['lastRaw'] === 'string' && /^[0-9]+$/.test(p['lastRaw']))) {
    return 'parts.lastRaw is not a decimal string';
  }
  return data as PersistedDerive;
}

/** Atomically replaces the state file. */
export async function saveDeriveState(path: string, state: PersistedDerive): Promise<void> {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(state)}\n`, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
