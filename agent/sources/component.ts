/**
 * The source component contract. A protocol is one folder `agent/sources/<name>/` holding its spec (the device
 * keys it owns, declared once with descriptions, units and defaults), its check (the one function both
 * `plantpulse check` and the running agent call), the source itself, `sample.yaml`, `README.md` and `cases/`; its
 * `index.ts` exports `defineSource({...})`, and agent/sources/registry.ts lists it. docs/adding-a-protocol.md walks
 * through adding one.
 */
import type { StaticEncode, TObject, TProperties } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.js';
import { formatKeyPath, type KeyPath } from '../../config/key-path.js';
import type { Logger } from '../../config/logging.js';
import { redactUrls } from '../../config/redact.js';
import type { Resolved, Unmarked } from '../../config/spec.js';
import { PlantpulseError } from '../../protocols/errors.js';
import type { MetricFamily } from '../../protocols/health/prometheus.js';
import type { MetricInfo } from '../../protocols/metric.js';
import type { Derive } from '../derive/derive-spec.js';
import type { Source } from './source.js';

/** What every device has, whatever its protocol. */
export type DeviceBase = {
  readonly id: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly derive?: Derive;
};

/** A device as the registry sees it: the base keys and whatever keys the components own. */
export type AnyDevice = DeviceBase & { readonly [key: string]: unknown };

/** A device as one component sees it: its own keys resolved, its connection key present. */
export type DeviceFor<P extends TProperties, K extends keyof P> = DeviceBase &
  Resolved<P> & {
    readonly [k in K]-?: k extends keyof Resolved<P> ? Exclude<Resolved<P>[k], undefined> : never;
  };

/** A device as written in a config file, with this component's keys. */
export type DeviceSample<P extends TProperties> = {
  id: string;
  tags?: Record<string, string>;
} & StaticEncode<TObject<Unmarked<P>>>;

/** A metric a device's config declares: for derive inputs and unique metric names. */
export interface DeclaredMetric {
  name: string;
  /** where it is declared, relative to the device */
  path: KeyPath;
  /** the decoded type when the config fixes it (`uint32`, `bool`); undefined when only the device knows */
  type?: string;
  /** report by exception: the absolute change below which a new value is not published */
  deadband?: number;
}

/** What the agent hands every source factory. */
export interface SourceDeps {
  log: Logger;
  /** things a component shares between its devices (Modbus: one queue per serial line or gateway) */
  shared: SharedResources;
  /** the agent's state directory (OPC UA keeps its PKI under it); undefined when nothing is kept on disk */
  stateDir?: string;
  /** a source learnt a device's metrics after connect: births must be sent again with these */
  onMetricsChanged?: (device: string, metrics: readonly MetricInfo[]) => void;
}

/**
 * One per agent: `get(key, make)` returns the thing made the first time a key was asked for. A shared thing with
 * counters of its own (the HJ 212 listeners) hands the agent's /metrics its families with `exportMetrics`.
 */
export class SharedResources {
  readonly #items = new Map<string, unknown>();
  readonly #metrics = new Map<string, () => MetricFamily[]>();

  get<T>(key: string, make: () => T): T {
    if (this.#items.has(key)) return this.#items.get(key) as T;
    const made = make();
    this.#items.set(key, made);
    return made;
  }

  /** `families` is read at every scrape; the first registration of a key counts */
  exportMetrics(key: string, families: () => MetricFamily[]): void {
    if (!this.#metrics.has(key)) this.#metrics.set(key, families);
  }

  metricFamilies(): MetricFamily[] {
    return [...this.#metrics.values()].flatMap((f) => f());
  }
}

/** What a component declares (see the file comment). */
export interface SourceDefinition<K extends string, P extends TProperties> {
  /** lower-case name: the folder, the error code prefix (`MODBUS_CONFIG`) */
  name: string;
  /** how users call it (`Modbus`, `OPC UA`) */
  title: string;
  /** the device key that selects this component (`modbus:`) */
  configKey: K & keyof P;
  /** every device key this component owns, configKey included */
  spec: P;
  /** the folder, relative to the repository: sample.yaml, README.md, cases/ */
  dir: string;
  /** an example device, as written in a config file: sample.yaml and the docs are generated from it and the spec */
  sample: DeviceSample<P>;
  /** every problem of a device's config, paths relative to the device; empty when it can run */
  check(device: DeviceFor<P, K & keyof P>): ConfigIssue[];
  /** the metrics the config declares */
  metrics(device: DeviceFor<P, K & keyof P>): DeclaredMetric[];
  /**
   * where the device is reached, for a person (`tcp://10.0.0.5:502 unit 1`, `192.168.0.10:102 rack 0 slot 1`): shown by
   * `agent --once` and in messages. Callers redact URL credentials (config/redact.ts `redactUrls`).
   */
  target(device: DeviceFor<P, K & keyof P>): string;
  /** builds the device's sources; no I/O (connect does). Called only for a device `check` accepts. */
  create(device: DeviceFor<P, K & keyof P>, deps: SourceDeps): Promise<Source[]>;
}

/** A registered component, as the registry uses it: devices of any protocol in, its own handled. */
export interface SourceComponent<P extends TProperties = TProperties, K extends string = string> {
  readonly name: string;
  readonly title: string;
  readonly configKey: K;
  readonly spec: P;
  readonly dir: string;
  readonly sample: DeviceSample<P>;
  /** its device keys besides configKey (`poll`; `subscribe`, `read`) */
  readonly dataKeys: readonly string[];
  handles(device: AnyDevice): boolean;
  check(device: AnyDevice): ConfigIssue[];
  metrics(device: AnyDevice): DeclaredMetric[];
  /** where the device is reached, for a person; URL credentials redacted */
  target(device: AnyDevice): string;
  /** refuses a device its check does not accept (SourceConfigError, the same messages), then creates */
  create(device: AnyDevice, deps: SourceDeps): Promise<Source[]>;
  /** the device as this component's functions take it, when it has configKey */
  own(device: AnyDevice): DeviceFor<P, K & keyof P> | undefined;
}

/** A device the agent was asked to run with a config its component's check refuses (code `<NAME>_CONFIG`). */
export class SourceConfigError extends PlantpulseError {
  readonly device: string;
  readonly issues: readonly ConfigIssue[];

  constructor(component: string, device: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => (i.path.length ? `${formatKeyPath(i.path)}: ${i.message}` : i.message));
    super(`${component.toUpperCase()}_CONFIG`, `device ${device}: ${lines.join('; ')}`);
    this.device = device;
    this.issues = issues;
  }
}

export function defineSource<const K extends string, P extends TProperties>(
  def: SourceDefinition<K, P>,
): SourceComponent<P, K> {
  // The agent's device schema is assembled from every component's spec (agent/config/device-spec.ts), so a
  // resolved device that has this component's configKey has this component's keys, resolved.
  const own = (d: AnyDevice) => d as unknown as DeviceFor<P, K & keyof P>;
  return {
    name: def.name,
    title: def.title,
    configKey: def.configKey,
    spec: def.spec,
    dir: def.dir,
    sample: def.sample,
    dataKeys: Object.keys(def.spec).filter((k) => k !== def.configKey),
    handles: (d) => d[def.configKey] !== undefined,
    own: (d) => (d[def.configKey] === undefined ? undefined : own(d)),
    check: (d) => def.check(own(d)),
    metrics: (d) => def.metrics(own(d)),
    target: (d) => redactUrls(def.target(own(d))),
    async create(d, deps) {
      const issues = def.check(own(d));
      if (issues.length > 0) throw new SourceConfigError(def.name, d.id, issues);
      return def.create(own(d), deps);
    },
  };
}
