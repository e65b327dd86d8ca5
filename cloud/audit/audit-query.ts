/**
 * Reads the audit log back for `GET /api/v1/audit`: events of a time range (and optionally of some types), oldest
 * first, `limit` at a time from `offset`. The log only grows at its end, so an offset stays valid while it does.
 * Files rotated before the range starts are not opened; reading stops once a page is full.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { StoredAuditEvent } from './audit-event.js';
import { listAuditFiles } from './audit-files.js';

export interface AuditQuery {
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, inclusive */
  to: number;
  /** only these types (all when empty) */
  types: readonly string[];
  offset: number;
  limit: number;
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** the offset of the next page, or null when this was the last */
  next: number | null;
}

export async function queryAudit(path: string, q: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  const types = new Set(q.types);
  const events: StoredAuditEvent[] = [];
  let matched = 0;
  for (const f of await listAuditFiles(path)) {
    if (f.rotatedAt !== undefined && f.rotatedAt < q.from) continue;
    const lines = createInterface({
      input: createReadStream(f.path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    try {
      for await (const line of lines) {
        signal?.throwIfAborted();
        const e = parseLine(line);
        if (!e) continue;
        const t = Date.parse(e.time);
        if (!(t >= q.from && t <= q.to)) continue;
        if (types.size > 0 && !types.has(e.type)) continue;
        if (matched++ < q.offset) continue;
        if (events.length === q.limit) return { events, next: q.offset + q.limit };
        events.push(e);
      }
    } catch (err) {
      // rotated away or swept while being read: what was read stands
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    } finally {
      lines.close();
    }
  }
  return { events, next: null };
}

function parseLine(line: string): StoredAuditEvent | undefined {
  if (line === '') return undefined;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null) return undefined;
    const e = v as Record<string, unknown>;
    return typeof e['time'] === 'string' && typeof e['type'] === 'string'
      ? (v as StoredAuditEvent)
      : undefined;
  } catch {
    return undefined; // a line cut by a crash mid-write
  }
}
