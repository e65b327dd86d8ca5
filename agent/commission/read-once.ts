/**
 * `plantpulse agent --once` (Telegraf's `--test`): every configured point read once through the agent's own sources
 * — created by agent/sources/registry.ts exactly as the agent creates them, so the same planner, line queue,
 * timeouts, codecs and OPC UA session — and the virtual sensors one reading gives applied by the agent's own
 * deriver. Nothing is published and nothing is kept: no MQTT connection, no outbox, no derive totals, no bdSeq.
 * (An OPC UA device uses the agent's client PKI folder; its certificate is created there on first use, as the agent
 * would, so the server sees the same client.) Devices are read in parallel; each is bounded by its own timeouts.
 */
import { resolve } from 'node:path';
import type { Logger } from '../../config/logging.js';
import { redactUrls } from '../../config/redact.js';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Sample } from '../../protocols/sample.js';
import type { AgentConfig } from '../config/agent-spec.js';
import type { AgentDevice } from '../config/device-spec.js';
import { createDeriver, type Deriver } from '../derive/deriver.js';
import { SharedResources } from '../sources/component.js';
import { componentsOf, createSources } from '../sources/registry.js';
import type { PollingSource, ReadFailure, Source, SubscribingSource } from '../sources/source.js';
import { historyNeeds } from './history-needs.js';
import type { DeviceOnce, OnceReport, OnceRow, RowError } from './once-report.js';
import { explainSamples } from './sample-errors.js';

export interface ReadOnceOptions {
  log: Logger;
  /** read only this device (the caller checks that it exists) */
  device?: string;
  /** how long to wait for the first value of every subscribed OPC UA item (default 10 s) */
  firstValuesMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_FIRST_VALUES_MS = 10_000;

interface DeviceDeps {
  log: Logger;
  /** what a component shares between devices (Modbus: one queue per line), as in the agent */
  shared: SharedResources;
  /** the agent's state folder (OPC UA: its client PKI is `<stateDir>/pki`) */
  stateDir: string | undefined;
  firstValuesMs: number;
  signal: AbortSignal;
}

/** What one source gave: its samples, why the bad ones are bad, and whether the device answered at all. */
interface SourceOutcome {
  samples: Sample[];
  errors: Map<string, RowError>;
  unreachable?: RowError;
}

export async function readOnce(cfg: AgentConfig, opts: ReadOnceOptions): Promise<OnceReport> {
  const deps: DeviceDeps = {
    log: opts.log,
    shared: new SharedResources(),
    stateDir: agentStateDir(cfg),
    firstValuesMs: opts.firstValuesMs ?? DEFAULT_FIRST_VALUES_MS,
    signal: opts.signal ?? new AbortController().signal,
  };
  const devices = cfg.devices.filter((d) => opts.device === undefined || d.id === opts.device);
  return { devices: await Promise.all(devices.map((d) => readDevice(d, deps))) };
}

/** The state folder the agent gives its sources (agent/agent.ts): `outbox.path`, none for an in-memory outbox. */
export function agentStateDir(cfg: AgentConfig): string | undefined {
  return cfg.outbox.path === ':memory:' ? undefined : resolve(cfg.outbox.path);
}

async function readDevice(device: AgentDevice, deps: DeviceDeps): Promise<DeviceOnce> {
  const head = {
    device: device.id,
    protocol: componentsOf(device)[0]?.name ?? 'none',
    target: targetOf(device),
  };
  let sources: Source[];
  let deriver: Deriver | undefined;
  try {
    sources = await createSources(device, {
      log: deps.log,
      shared: deps.shared,
      ...(deps.stateDir === undefined ? {} : { stateDir: deps.stateDir }),
    });
    // no stateDir: totals start from 0 and nothing is written
    deriver = createDeriver(device, { log: deps.log.child({ component: 'derive', device: device.id }) });
  } catch (err) {
    return { ...head, reachable: false, error: errorOf(err, 'SOURCE_CONFIG'), rows: [] };
  }
  let outcomes: SourceOutcome[];
  try {
    outcomes = await Promise.all(
      sources.map((s) =>
        s.kind === 'polling' ? pollOnce(s, deps.signal) : subscribeOnce(s, deps.firstValuesMs, deps.signal),
      ),
    );
  } finally {
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }
  const read = outcomes.flatMap((o) => o.samples);
  const errors = new Map(outcomes.flatMap((o) => [...o.errors]));
  const derived = deriver === undefined ? [] : deriver.process(read).slice(read.length);
  await deriver?.close();
  const latest = new Map<string, Sample>();
  for (const s of [...read, ...derived]) latest.set(s.metric, s);
  const needs = historyNeeds(device);
  const now = Date.now();

  const rowOf = (info: MetricInfo, isDerived: boolean): OnceRow => {
    const row: OnceRow = { device: device.id, metric: info.name, value: null, derived: isDerived };
    if (info.unit !== undefined) row.unit = info.unit;
    const need = isDerived ? needs.get(info.name) : undefined;
    if (need !== undefined) return { ...row, needsHistory: need };
    const s = latest.get(info.name);
    if (s === undefined) {
      const why = errors.get(info.name) ?? {
        code: 'NO_VALUE',
        message: isDerived ? 'not derived: its input gave no usable value' : 'no value was read',
      };
      return { ...row, quality: 'bad', timestamp: now, error: why };
    }
    Object.assign(row, { value: s.value, quality: s.quality, timestamp: s.timestamp });
    const why = errors.get(info.name) ?? (isDerived ? DERIVED_FROM_BAD : undefined);
    if (s.quality !== 'good' && why !== undefined) row.error = why;
    return row;
  };
  // config order (a Modbus source lists its metrics by address, as planned)
  const order = new Map((device.poll ?? []).flatMap((g) => g.points).map((p, i) => [p.name, i]));
  const position = (m: MetricInfo) => order.get(m.name) ?? order.size;
  const rows = [
    ...sources
      .flatMap((s) => s.metrics)
      .sort((a, b) => position(a) - position(b))
      .map((m) => rowOf(m, false)),
    ...(deriver?.metrics ?? []).map((m) => rowOf(m, true)),
  ];
  const unreachable = outcomes.find((o) => o.unreachable !== undefined)?.unreachable;
  return unreachable === undefined
    ? { ...head, reachable: true, rows }
    : { ...head, reachable: false, error: unreachable, rows };
}

const DERIVED_FROM_BAD: RowError = {
  code: 'DERIVE_BAD_INPUT',
  message:
    'computed from a reading that is bad or outside its signal range (a 4–20 mA loop under 3.8 mA is a broken ' +
    'wire); --log-level warn shows the reason',
};

async function pollOnce(source: PollingSource, signal: AbortSignal): Promise<SourceOutcome> {
  const refused = await connect(source, signal);
  if (refused !== undefined) return failedAll(source, refused);
  const samples: Sample[] = [];
  const failures: ReadFailure[] = [];
  let silent: ReadFailure | undefined;
  for (let g = 0; g < source.groups.length && silent === undefined; g++) {
    let r: { samples: Sample[]; failures: ReadFailure[] };
    try {
      r = await source.read(g, signal);
    } catch (err) {
      r = {
        samples: [],
        failures: [{ code: 'SOURCE_THREW', message: errorOf(err, '').message, linkFault: true }],
      };
    }
    samples.push(...r.samples);
    failures.push(...r.failures);
    // a device that answered nothing is not asked again for its other groups: their points share the reason
    const answered = r.samples.some((s) => s.quality === 'good');
    if (!answered && r.failures.length > 0 && r.failures.every((f) => f.linkFault || f.noAnswer === true))
      silent = r.failures[0];
  }
  const errors = await explainSamples(samples, failures);
  if (silent === undefined) return { samples, errors };
  const unreachable = { code: silent.code, message: `no answer: ${silent.message}` };
  for (const m of source.metrics) if (!errors.has(m.name)) errors.set(m.name, unreachable);
  return { samples, errors, unreachable };
}

/** Subscribes, keeps the first value of every item, and stops once each has one (or after `waitMs`). */
async function subscribeOnce(
  source: SubscribingSource,
  waitMs: number,
  signal: AbortSignal,
): Promise<SourceOutcome> {
  const refused = await connect(source, signal);
  if (refused !== undefined) return failedAll(source, refused);
  const first = new Map<string, Sample>();
  const session = new AbortController();
  let lost: RowError | undefined;
  let wake = (): void => undefined;
  const done = new Promise<void>((r) => {
    wake = r;
  });
  const complete = () => source.metrics.every((m) => first.has(m.name));
  const timer = setTimeout(wake, waitMs);
  signal.addEventListener('abort', wake, { once: true });
  try {
    await source.subscribe(
      (batch) => {
        for (const s of batch) if (!first.has(s.metric)) first.set(s.metric, s);
        if (complete()) wake();
      },
      session.signal,
      (err) => {
        lost = errorOf(err, 'SUBSCRIPTION_LOST');
        wake();
      },
    );
    if (complete()) wake();
    await done;
  } catch (err) {
    lost = errorOf(err, 'SUBSCRIBE_FAILED');
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', wake);
    session.abort();
  }
  const samples = [...first.values()];
  const errors = await explainSamples(samples, []);
  const missing = lost ?? { code: 'NO_VALUE', message: `no value within ${waitMs} ms of subscribing` };
  for (const m of source.metrics) if (!first.has(m.name)) errors.set(m.name, missing);
  return { samples, errors };
}

async function connect(source: Source, signal: AbortSignal): Promise<RowError | undefined> {
  try {
    await source.connect(signal);
    return undefined;
  } catch (err) {
    return errorOf(err, 'CONNECT_FAILED');
  }
}

function failedAll(source: Source, why: RowError): SourceOutcome {
  return { samples: [], errors: new Map(source.metrics.map((m) => [m.name, why])), unreachable: why };
}

/** where the device is reached, from its component; URL credentials redacted */
function targetOf(d: AgentDevice): string {
  return componentsOf(d)[0]?.target(d) ?? '';
}

function errorOf(err: unknown, fallback: string): RowError {
  const code = (err as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : fallback,
    message: redactUrls((err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ')),
  };
}
