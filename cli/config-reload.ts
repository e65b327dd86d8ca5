/**
 * Live reconfiguration of a long-running process: SIGHUP (always) and, with `--watch-config`, a change of the
 * config file reload it. The file is loaded and validated exactly as at start; a bad file is refused with every
 * problem logged (one line each, and all of them in the refusal line) and the running configuration stays. A valid
 * one goes to the process's own `reload`, which applies what it can and says what it cannot.
 *
 * The watch is on the file's directory, not the file: editors and config management replace a file by renaming a
 * new one over it, which a watch on the old inode would miss. Events are debounced (`WATCH_DEBOUNCE_MS`), so one
 * save is one reload; reloads run one at a time, and a trigger during a reload runs once after it.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, formatProblem } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../config/logging.js';

export const WATCH_DEBOUNCE_MS = 500;

export interface ReloadTarget<T> {
  file: string;
  load(file: string): Promise<LoadedConfig<T>>;
  /** applies a validated configuration; logs what it did */
  reload(loaded: LoadedConfig<T>): Promise<unknown>;
  /** a file was refused before reaching `reload` (counted in the process's metrics) */
  refused?(problems: readonly string[]): void;
  log: Logger;
  /** also reload when the file changes */
  watch: boolean;
}

export interface ConfigReloader {
  /** reload now (what SIGHUP does); resolves when this reload is done */
  trigger(why: string): Promise<void>;
  close(): void;
}

export function reloadConfigOn<T>(t: ReloadTarget<T>): ConfigReloader {
  const file = resolve(t.file);
  let running: Promise<void> | undefined;
  let again: string | undefined;
  let closed = false;

  const once = async (why: string): Promise<void> => {
    t.log.info({ trigger: why, config: file }, 'reloading the configuration');
    let loaded: LoadedConfig<T>;
    try {
      loaded = await t.load(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) {
        t.log.error({ err }, 'configuration reload failed; the running configuration stays');
        return;
      }
      for (const p of err.problems) t.log.error({ problem: formatProblem(p) }, 'configuration problem');
      t.refused?.(err.problems.map(formatProblem));
      t.log.error(
        { problems: err.problems.map(formatProblem) },
        `configuration reload refused: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in ${file}; the running configuration stays`,
      );
      return;
    }
    try {
      await t.reload(loaded);
    } catch (err) {
      t.log.error({ err }, 'configuration reload failed; the running configuration stays');
    }
  };

  const trigger = (why: string): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = why;
      return running;
    }
    running = (async () => {
      let next: string | undefined = why;
      while (next !== undefined && !closed) {
        again = undefined;
        await once(next);
        next = again;
      }
      running = undefined;
    })();
    return running;
  };

  const onHup = () => void trigger('SIGHUP');
  process.on('SIGHUP', onHup);

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  if (t.watch) {
    const name = basename(file);
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => void trigger('file changed'), WATCH_DEBOUNCE_MS);
    });
    watcher.on('error', (err) => t.log.warn({ err }, 'config file watch failed; SIGHUP still reloads'));
    t.log.info({ config: file }, 'watching the config file: a change reloads it');
  }

  return {
    trigger,
    close() {
      closed = true;
      process.off('SIGHUP', onHup);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
    },
  };
}
