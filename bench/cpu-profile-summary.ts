/**
 * Sums a V8 `.cpuprofile` (written by `BENCH_CPU_PROF_DIR=<dir>`, bench/README.md "Profiling a miss") per function:
 * self time and inclusive time, in ms, with each function's share of the busy (non-idle) time.
 *
 *   node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

/** `function file:line`, with the path shortened to what follows dist/ or node_modules/ */
function nameOf(n: ProfileNode): string {
  const c = n.callFrame;
  const url = c.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
  return `${c.functionName || '(anonymous)'} ${url}:${c.lineNumber + 1}`;
}

export function summarise(p: CpuProfile): { busyMs: number; idleMs: number; functions: FunctionTime[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    hits.set(id, (hits.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (const [id, us] of hits) {
    all += us;
    const node = byId.get(id);
    if (node === undefined) continue;
    const own = nameOf(node);
    self.set(own, (self.get(own) ?? 0) + us);
    // inclusive: every distinct function on the stack (a recursive one counts once)
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const k = nameOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  const functions = [...self.keys(), ...[...total.keys()].filter((k) => !self.has(k))].map((name) => ({
    name,
    selfMs: (self.get(name) ?? 0) / 1000,
    totalMs: (total.get(name) ?? 0) / 1000,
  }));
  return { busyMs: (all - idle) / 1000, idleMs: idle / 1000, functions };
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top=30]\n');
    process.exitCode = 2;
    return;
  }
  const top = Number(topArg ?? 30);
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number) => `${((ms / s.busyMs) * 100).toFixed(1).padStart(5)} %`;
  const row = (ms: number, name: string) => `${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`;
  const out = [`busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`, '', 'self time:'];
  for (const f of [...s.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top))
    out.push(row(f.selfMs, f.name));
  out.push('', 'inclusive time:');
  for (const f of [...s.functions].sort((a, b) => b.totalMs - a.totalMs).slice(0, top))
    out.push(row(f.totalMs, f.name));
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('cpu-profile-summary.js')) main();
