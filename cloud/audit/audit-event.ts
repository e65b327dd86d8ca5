/**
 * What the audit log records, and the small interface other parts call to record something. The API, alarm
 * acknowledgements and the configuration load record here now; the embedded broker (logins, refusals), OPC UA
 * trust changes and rebirth commands are meant to call `AuditSink.record` too.
 */

/** A JSON value an audit field may hold. */
export type AuditValue = string | number | boolean | null | readonly AuditValue[] | AuditFields;

export interface AuditFields {
  readonly [field: string]: AuditValue;
}

/** The event types recorded today; others use the same `area.action` form. */
export type KnownAuditType =
  | 'api.login'
  | 'api.refused'
  | 'api.blocked'
  | 'alarm.ack'
  | 'config.loaded'
  | 'broker.login'
  | 'broker.refused'
  | 'opcua.trust'
  | 'sparkplug.rebirth';

/** `area.action` in lower case, e.g. `broker.refused`. */
export type AuditType = KnownAuditType | `${string}.${string}`;

export const AUDIT_TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,31}\.[a-z][a-z0-9_.-]{0,63}$/;

/** One event handed to the audit log; `time` (epoch ms) is stamped by the log. */
export interface AuditEvent {
  readonly type: AuditType;
  readonly fields?: AuditFields;
}

/** Where audit events go. `record` never throws and never waits: the write happens in the background. */
export interface AuditSink {
  record(event: AuditEvent): void;
}

/** An event as stored: one JSON line. */
export interface StoredAuditEvent {
  /** ISO 8601, UTC, milliseconds */
  time: string;
  type: string;
  [field: string]: AuditValue;
}

/** Drops everything: for parts started without an audit log (tests, tools). */
export const noAudit: AuditSink = { record: () => {} };

/** Field names whose values are never written (a caller's mistake must not put a secret in the log). */
const SECRET_FIELD = /token|password|secret|authorization|passphrase|credential|private.?key/i;

/** The fields with secret-looking keys replaced by `[redacted]`, at any depth. */
export function redactFields(fields: AuditFields): AuditFields {
  const out: Record<string, AuditValue> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_FIELD.test(k) && !/^token(Name|Id)$/.test(k)) out[k] = '[redacted]';
    else if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out[k] = redactFields(v as AuditFields);
    else out[k] = v;
  }
  return out;
}
