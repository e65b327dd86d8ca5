/**
 * The agent's running devices: for each, its sources (in the poll or subscribe runner) and its deriver. A device is
 * built (config → sources, deriver, metric set; no I/O but the deriver's saved totals) before it is started, so a
 * reload that cannot build a device changes nothing; stopping one lets its reads in progress deliver their samples,
 * then closes its sources and saves its deriver's totals.
 */
import type { Logger } from '../config/logging.js';
import type { AgentDevice } from './config/device-spec.js';
import { createDeriver, type Deriver } from './derive/deriver.js';
import type { EdgeDeviceSpec } from './publish/edge-node-types.js';
import type { PollRunner } from './runner/poll-runner.js';
import type { SubscribeRunner } from './runner/subscribe-runner.js';
import type { SharedResources } from './sources/component.js';
import { createSources, declaredMetrics } from './sources/registry.js';
import type { Source } from './sources/source.js';

/** A device ready to start: what the edge node announces, its sources and deriver. */
export interface BuiltDevice {
  spec: EdgeDeviceSpec;
  sources: Source[];
  deriver: Deriver | undefined;
  /** `metric` → absolute deadband, for report by exception */
  deadbands: Map<string, number>;
}

export interface AgentDevicesDeps {
  log: Logger;
  shared: SharedResources;
  stateDir: string | undefined;
  poll: PollRunner;
  subscribe: SubscribeRunner;
}

/** How long a stopped device's reads in progress may take to deliver their samples. */
export const STOP_DRAIN_MS = 5_000;

export class AgentDevices {
  readonly #d: AgentDevicesDeps;
  readonly #derivers = new Map<string, Deriver>();
  readonly #ids = new Set<string>();

  constructor(deps: AgentDevicesDeps) {
    this.#d = deps;
  }

  async build(d: AgentDevice): Promise<BuiltDevice> {
    const stateDir = this.#d.stateDir === undefined ? {} : { stateDir: this.#d.stateDir };
    const sources = await createSources(d, { log: this.#d.log, shared: this.#d.shared, ...stateDir });
    const deriver = createDeriver(d, {
      log: this.#d.log.child({ component: 'derive', device: d.id }),
      ...stateDir,
    });
    const metrics = [...sources.flatMap((s) => s.metrics), ...(deriver?.metrics ?? [])];
    const deadbands = new Map<string, number>();
    // every component declares its metrics' deadbands (Modbus points, S7 variables, DL/T 645 readings)
    for (const m of declaredMetrics(d)) if (m.deadband !== undefined) deadbands.set(m.name, m.deadband);
    return {
      spec: { id: d.id, metrics, ...(d.tags === undefined ? {} : { tags: d.tags }) },
      sources,
      deriver,
      deadbands,
    };
  }

  /**
   * A changed device's deriver again, once its predecessor has stopped and saved its totals: the one `build` made
   * read them before that save. The first one is dropped unclosed (closing it would save its older totals).
   */
  refreshDeriver(b: BuiltDevice, d: AgentDevice): void {
    if (b.deriver === undefined) return;
    b.deriver = createDeriver(d, {
      log: this.#d.log.child({ component: 'derive', device: d.id }),
      ...(this.#d.stateDir === undefined ? {} : { stateDir: this.#d.stateDir }),
    });
  }

  /** Hands the device's sources to the runners (they poll at once when started). */
  start(b: BuiltDevice): void {
    this.#ids.add(b.spec.id);
    if (b.deriver) this.#derivers.set(b.spec.id, b.deriver);
    for (const s of b.sources) {
      if (s.kind === 'polling') this.#d.poll.add(s);
      else this.#d.subscribe.add(s);
    }
  }

  /** Stops the device: its reads in progress deliver their samples, its sources close, its totals are saved. */
  async stop(id: string): Promise<void> {
    await this.#d.poll.remove(id, STOP_DRAIN_MS);
    await this.#d.subscribe.remove(id);
    const deriver = this.#derivers.get(id);
    this.#derivers.delete(id);
    this.#ids.delete(id);
    await deriver?.close();
  }

  /** Closes every deriver (the runners are stopped by their owner). */
  async closeDerivers(): Promise<void> {
    for (const d of this.#derivers.values()) await d.close();
  }

  deriver(id: string): Deriver | undefined {
    return this.#derivers.get(id);
  }

  derivers(): ReadonlyMap<string, Deriver> {
    return this.#derivers;
  }

  ids(): string[] {
    return [...this.#ids];
  }
}
