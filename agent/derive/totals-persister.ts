import type { Logger } from 'pino';
import { loadDeriveState, type PersistedDerive, saveDeriveState, stateFilePath } from './state-store.js';

/**
 * Keeps a device's derived totals (kWh, part count) on disk: restores them at start, saves them while running at
 * most every `everyMs` (one write in flight at a time) and once more at close. A failed write is logged, counted
 * and retried; it never stops derivation.
 */
export class TotalsPersister {
  private readonly path: string | undefined;
  private dirty = false;
  private lastSaveAt: number;
  private writing: Promise<void> | undefined;
  private closed = false;
  writes = 0;
  writeErrors = 0;

  constructor(
    private readonly device: string,
    stateDir: string | undefined,
    private readonly log: Logger,
    private readonly clock: () => number,
    private readonly everyMs: number,
  ) {
    this.path = stateDir === undefined ? undefined : stateFilePath(stateDir, device);
    this.lastSaveAt = clock();
  }

  /** Reads the saved totals (synchronously: a few hundred bytes at start-up). */
  restore(hasTotals: boolean): PersistedDerive | undefined {
    if (this.path === undefined) {
      if (hasTotals)
        this.log.info('no state directory: energy and part count start from 0 at every agent start');
      return undefined;
    }
    const r = loadDeriveState(this.path, this.device, this.clock());
    if (r.kind === 'loaded') {
      this.log.info({ energy: r.state.energy?.kwh, parts: r.state.parts?.total }, 'restored derived totals');
      return r.state;
    }
    if (r.kind === 'corrupt') {
      this.log.error(
        { path: this.path, movedTo: r.movedTo, reason: r.reason },
        'derive state file is unusable: energy and part count restart from 0',
      );
    }
    return undefined;
  }

  /** The totals changed. */
  touch(): void {
    this.dirty = true;
  }

  /** Starts a background save when one is due. */
  maybeSave(snapshot: () => PersistedDerive): void {
    if (this.path === undefined || !this.dirty || this.writing !== undefined || this.closed) return;
    if (this.clock() - this.lastSaveAt < this.everyMs) return;
    this.writing = this.save(snapshot()).finally(() => {
      this.writing = undefined;
    });
  }

  /** Waits for the write in flight and saves the final totals. */
  async close(snapshot: () => PersistedDerive): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    if (this.dirty) await this.save(snapshot());
  }

  private async save(snap: PersistedDerive): Promise<void> {
    if (this.path === undefined) return;
    this.dirty = false;
    this.lastSaveAt = this.clock();
    try {
      await saveDeriveState(this.path, snap);
      this.writes++;
    } catch (err) {
      this.dirty = true;
      this.writeErrors++;
      this.log.error({ err, path: this.path }, 'cannot save derived totals; will retry');
    }
  }
}
