/**
 * A child process (and everything it starts) whose wall clock reads a chosen time, through libfaketime (Debian
 * `faketime`): for end-to-end tests whose outcome depends on the hour (shifts, breaks, tariffs), so they never
 * depend on when CI happens to run them. Monotonic clocks stay real, so timers and timeouts behave as usual.
 * Go programs (influxd) do not go through libc for the clock and keep the real time; tests query with explicit
 * times, so it does not matter to them.
 */
import { ensureDebianPackages } from '../../scripts/services/debian-packages.js';

export const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface FixedClock {
  /** environment for `spawn`: the preload and the offset */
  env: Record<string, string>;
  /** the child's wall clock, read in this process */
  now(): number;
}

/** This process's own libfaketime offset in ms (when `npm run test:repeat -- --faketime` runs the suite). */
function ownOffsetMs(): number {
  if (!(process.env['LD_PRELOAD'] ?? '').includes('faketime')) return 0;
  const m = /^([+-]\d+(?:\.\d+)?)$/.exec(process.env['FAKETIME'] ?? '');
  return m?.[1] ? Number(m[1]) * 1000 : 0;
}

/** A clock for child processes that reads `at` now and runs on from there. */
export async function fixedClock(at: string | Date): Promise<FixedClock> {
  await ensureDebianPackages(['faketime']);
  const target = new Date(at).getTime();
  if (!Number.isFinite(target)) throw new Error(`not a time: ${String(at)}`);
  const real = Date.now() - ownOffsetMs();
  const offsetMs = target - real;
  const preload = (process.env['LD_PRELOAD'] ?? '').split(':').filter((p) => p && !p.includes('faketime'));
  return {
    env: {
      LD_PRELOAD: [FAKETIME_LIB, ...preload].join(':'),
      FAKETIME: `${offsetMs >= 0 ? '+' : ''}${(offsetMs / 1000).toFixed(3)}`,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      FAKETIME_NO_CACHE: '1',
    },
    now: () => Date.now() - ownOffsetMs() + offsetMs,
  };
}
