/**
 * A spool row's body: the message's lines of line protocol joined by `\n`, exactly as they go to InfluxDB (so the
 * drainer concatenates rows into a request without reading them). Rows written before lines were grouped hold
 * `[[line, {field: type letter}], …]` (JSON); they are still read.
 */

/** The lines of a row's body, joined by `\n`; undefined when the body cannot be read (a damaged row). */
export function rowText(body: string): string | undefined {
  if (body.charCodeAt(0) !== 91 /* [ */) return body.length > 0 ? body : undefined;
  try {
    const rows = JSON.parse(body) as unknown;
    if (!Array.isArray(rows)) return undefined;
    const out: string[] = [];
    for (const r of rows) {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'object' || r[1] === null)
        return undefined;
      out.push(r[0]);
    }
    return out.length > 0 ? out.join('\n') : undefined;
  } catch {
    return undefined;
  }
}
