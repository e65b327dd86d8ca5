/** Starts the cloud's audit log from its config section and records the configuration it was started with. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AuditConfig } from '../../config/schemas/audit.js';
import { AuditLog } from './audit-log.js';

/** The configuration file a process was started from. */
export interface ConfigSource {
  file: string;
  sha256: string;
}

/** SHA-256 (hex) of a file's bytes, for the `config.loaded` event. */
export async function configSource(file: string): Promise<ConfigSource> {
  const bytes = await readFile(file);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Opens the audit log (default `audit/audit.jsonl` under the data dir) and records `config.loaded`. A path that
 * cannot be created or opened fails the start: running without the audit trail the config asks for is not an
 * option the process takes on its own.
 */
export async function openAuditLog(
  cfg: AuditConfig,
  dataDir: string,
  log: Logger,
  source: ConfigSource | undefined,
): Promise<AuditLog> {
  const audit = new AuditLog({
    path: resolve(cfg.path ?? join(dataDir, 'audit', 'audit.jsonl')),
    maxFileBytes: cfg.maxFileBytes,
    retentionMs: cfg.retention,
    log: log.child({ component: 'audit' }),
  });
  await audit.open();
  audit.record({
    type: 'config.loaded',
    fields: {
      process: 'cloud',
      file: source?.file ?? null,
      sha256: source?.sha256 ?? null,
      pid: process.pid,
    },
  });
  return audit;
}
