/**
 * The event-loop watchdog (`--watchdog`): a process whose loop stops turning is killed (SIGKILL) with one
 * EVENT_LOOP_STALLED line on stderr, so the service manager restarts it; a process whose loop keeps turning, even
 * slowly under load, is left alone and stops cleanly. Run in real child processes (the watchdog's worker thread and
 * the kill are the point), from the built dist/.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli-process.js';

const MODULE = fileURLToPath(new URL('../../../dist/protocols/health/loop-watchdog.js', import.meta.url));

function runChild(
  body: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `import { startLoopWatchdog } from ${JSON.stringify(MODULE)};\n${body}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('event-loop watchdog', () => {
  it('kills a process whose event loop stalls, saying why on stderr', async () => {
    const r = await runChild(`
      startLoopWatchdog({ stallMs: 1000, name: 'stall-test' });
      setTimeout(() => { for (;;) {} }, 300);
    `);
    expect(r.signal).toBe('SIGKILL');
    const line = JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(line['code']).toBe('EVENT_LOOP_STALLED');
    expect(line['name']).toBe('stall-test');
    expect(Number(line['stalledMs'])).toBeGreaterThanOrEqual(1000);
  });

  it('leaves a busy process alone while its loop keeps turning, and stops with it', async () => {
    // 3 s of work in 200 ms slices: the loop turns between slices, never stalls for 1 s
    const r = await runChild(`
      const w = startLoopWatchdog({ stallMs: 1000, name: 'busy-test' });
      const until = Date.now() + 3000;
      const slice = () => {
        const t = Date.now() + 200;
        while (Date.now() < t) {}
        if (Date.now() < until) setTimeout(slice, 0);
        else w.stop().then(() => process.exit(0));
      };
      slice();
    `);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('EVENT_LOOP_STALLED');
  });

  it('plantpulse agent|cloud refuse a watchdog shorter than 1 s', async () => {
    for (const kind of ['agent', 'cloud']) {
      const r = await runCli([kind, '-c', 'missing.yaml', '--watchdog', '500ms']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--watchdog "500ms": a duration of at least 1s');
    }
  });
});
