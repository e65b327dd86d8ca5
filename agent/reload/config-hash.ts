/**
 * Which configuration a process runs: the SHA-256 of its resolved configuration (defaults filled, durations in ms,
 * references resolved) written as canonical JSON (keys sorted), secrets left out. The agent shows it on /metrics
 * (`plantpulse_config_info{hash}`) and in its NBIRTH (`Properties/Config Hash`); two gateways with the same hash
 * run the same configuration, whatever the layout, comments or key order of their files.
 *
 * Secrets (values under a secret key, values that came from `${env:…}`/`${file:…}`/`${cred:…}` references) are
 * replaced by `[redacted]` before hashing: the hash is published, and a hash of a short password is a way to guess
 * it. A password change therefore does not change the hash.
 */
import { createHash } from 'node:crypto';
import { redactConfig } from '../../config/redact.js';

/** JSON with every object's keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** The configuration's hash (64 hex digits); `secrets`: key paths to leave out (LoadedConfig.secrets). */
export function configHash(config: unknown, secrets: readonly string[] = []): string {
  return createHash('sha256')
    .update(canonicalJson(redactConfig(config, secrets)))
    .digest('hex');
}
