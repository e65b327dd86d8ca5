/**
 * A configuration reload of the running agent (SIGHUP, `--watch-config`). The new configuration has been validated
 * by the loader already (a bad file never gets here); this applies it device by device:
 *
 * - settings that need a restart changed (`RESTART_SECTIONS`) → refused as a whole, saying which; nothing changes;
 * - every added and changed device is built first (no I/O), so one that cannot be built refuses the reload;
 * - changed and removed devices stop: their reads in progress deliver their samples, their totals are saved;
 * - the edge node gets the new device set and the new config hash: DDEATH for each changed device, then the births
 *   again (NBIRTH carrying `Properties/Config Hash`, every DBIRTH with its metric set), as a rebirth does;
 * - added and changed devices start polling; unchanged ones never stopped;
 * - a removed device stays in the Sparkplug session until the outbox holds none of its samples (they are published
 *   under its birth), then it gets its DDEATH and leaves.
 *
 * The outbox, the MQTT session, bdSeq and the unchanged devices' report-by-exception state carry on.
 */
import type { Logger } from '../../config/logging.js';
import type { AgentDevices, BuiltDevice } from '../agent-devices.js';
import type { AgentConfig } from '../config/agent-spec.js';
import type { Outbox } from '../outbox/outbox.js';
import type { EdgeNodeSession } from '../publish/edge-node-session.js';
import type { ReportByException } from '../report/report-by-exception.js';
import { diffAgentConfig, isEmptyDiff } from './config-diff.js';

export const CONFIG_HASH_PROPERTY = 'Config Hash';

export type ReloadOutcome =
  | { result: 'applied'; hash: string; added: string[]; changed: string[]; removed: string[] }
  | { result: 'unchanged'; hash: string }
  | { result: 'refused'; reason: string; needRestart?: string[] };

export interface ReloadStats {
  hash: string;
  applied: number;
  refused: number;
  unchanged: number;
  /** removed devices still waiting for their buffered samples to go out */
  retiring: number;
}

export interface AgentReloaderDeps {
  config: AgentConfig;
  hash: string;
  /** the node's NBIRTH properties besides the config hash (version, start time): the same after a reload */
  nodeFacts: Readonly<Record<string, string>>;
  devices: AgentDevices;
  session: EdgeNodeSession;
  report: ReportByException;
  outbox: Outbox;
  log: Logger;
}

const RETIRE_CHECK_MS = 1000;

export class AgentReloader {
  readonly #d: AgentReloaderDeps;
  #config: AgentConfig;
  #hash: string;
  readonly #counts = { applied: 0, refused: 0, unchanged: 0 };
  readonly #retiring = new Set<string>();
  #retireTimer: NodeJS.Timeout | undefined;
  /** reloads run one at a time, in the order asked */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(deps: AgentReloaderDeps) {
    this.#d = deps;
    this.#config = deps.config;
    this.#hash = deps.hash;
  }

  /** removed devices still in the session, publishing their buffered samples */
  retiringIds(): string[] {
    return [...this.#retiring];
  }

  get config(): AgentConfig {
    return this.#config;
  }

  stats(): ReloadStats {
    return { hash: this.#hash, ...this.#counts, retiring: this.#retiring.size };
  }

  reload(next: AgentConfig, hash: string): Promise<ReloadOutcome> {
    const run = this.#queue.then(() => this.#apply(next, hash));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** a file refused for its problems before reaching `reload` */
  refusedFile(): void {
    this.#counts.refused++;
  }

  close(): void {
    this.#closed = true;
    if (this.#retireTimer) clearTimeout(this.#retireTimer);
  }

  async #apply(next: AgentConfig, hash: string): Promise<ReloadOutcome> {
    const log = this.#d.log;
    const diff = diffAgentConfig(this.#config, next);
    if (diff.needRestart.length > 0) {
      this.#counts.refused++;
      const reason = `${diff.needRestart.join(', ')} changed: only a restart applies ${diff.needRestart.length > 1 ? 'them' : 'it'} (systemctl restart plantpulse-agent); nothing was changed`;
      log.error(
        { needRestart: diff.needRestart, hash: this.#hash },
        `configuration reload refused: ${reason}`,
      );
      return { result: 'refused', reason, needRestart: diff.needRestart };
    }
    if (isEmptyDiff(diff)) {
      this.#counts.unchanged++;
      log.info({ hash: this.#hash }, 'configuration reloaded: nothing changed');
      return { result: 'unchanged', hash: this.#hash };
    }
    const built: BuiltDevice[] = [];
    try {
      for (const d of [...diff.added, ...diff.changed]) built.push(await this.#d.devices.build(d));
    } catch (err) {
      this.#counts.refused++;
      const reason = `a device cannot be built: ${(err as Error).message}; nothing was changed`;
      log.error({ err, hash: this.#hash }, `configuration reload refused: ${reason}`);
      return { result: 'refused', reason };
    }
    const changed = diff.changed.map((d) => d.id);
    for (const id of [...changed, ...diff.removed]) await this.#d.devices.stop(id);
    diff.changed.forEach((d, i) => {
      const b = built[diff.added.length + i];
      if (b) this.#d.devices.refreshDeriver(b, d); // after its predecessor saved its totals
    });
    // a removed device is born while its buffered samples go out (even one that was unreachable)
    for (const id of diff.removed)
      this.#d.session.reachability(id, true, 'removed: publishing its buffered samples');
    for (const b of built) this.#d.report.setDeadbands(b.spec.id, b.deadbands);
    if (diff.heartbeatChanged) this.#d.report.setHeartbeat(next.heartbeat ?? 0);
    for (const id of diff.removed) this.#retiring.add(id);
    for (const d of diff.added) this.#retiring.delete(d.id); // removed, then added back before it left
    this.#d.session.reconfigure(
      built.map((b) => b.spec),
      { ...this.#d.nodeFacts, [CONFIG_HASH_PROPERTY]: hash },
    );
    for (const b of built) this.#d.devices.start(b);
    this.#config = next;
    this.#hash = hash;
    this.#counts.applied++;
    const outcome = {
      result: 'applied' as const,
      hash,
      added: diff.added.map((d) => d.id),
      changed,
      removed: diff.removed,
    };
    log.info({ ...outcome, unchanged: diff.unchanged.length }, 'configuration reloaded');
    this.#retire();
    return outcome;
  }

  /** Removed devices whose samples have all left the outbox get their DDEATH and leave the session. */
  #retire(): void {
    if (this.#retireTimer) clearTimeout(this.#retireTimer);
    this.#retireTimer = undefined;
    if (this.#closed) return;
    for (const id of this.#retiring) {
      if (this.#d.outbox.holds(id)) continue;
      this.#retiring.delete(id);
      this.#d.session.removeDevice(id);
      this.#d.log.info(
        { device: id },
        'removed device left the session (DDEATH): its buffered samples are out',
      );
    }
    if (this.#retiring.size > 0) this.#retireTimer = setTimeout(() => this.#retire(), RETIRE_CHECK_MS);
  }
}
