/**
 * What may go into a line-protocol tag, field key or string field (docs/architecture.md#sanitising, with
 * sources). The official client escapes commas, spaces, `=` and quotes, but not everything: a trailing
 * backslash in a tag value escapes the separator after it, and newlines inside string fields end the line.
 * Pure: no I/O.
 */

/** Keys InfluxDB reserves: a point using one as a tag or field key is discarded by the server. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'time',
  '_field',
  '_measurement',
  '_start',
  '_stop',
  '_value',
]);

// C0 controls (CR, LF, TAB, NUL…) and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]+/g;
const TRAILING_BACKSLASHES = /\\+$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with lone UTF-16 surrogates (not encodable as UTF-8) replaced by U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** Max length of a tag value we write (InfluxDB's own series-key limit is 64 KiB; tags this long are a bug). */
export const MAX_TAG_LENGTH = 256;

/**
 * A tag value fit for line protocol: well-formed Unicode (NFC), control characters (CR, LF, TAB…) replaced by a
 * space, trailing backslashes removed, at most MAX_TAG_LENGTH characters. Returns `undefined` when nothing is left:
 * InfluxDB does not allow empty tag values, the tag must be omitted instead.
 */
export function sanitiseTag(value: string): string | undefined {
  let v = wellFormed(value).normalize('NFC').replace(CONTROL_CHARS, ' ');
  if (v.length > MAX_TAG_LENGTH) v = v.slice(0, MAX_TAG_LENGTH);
  v = v.replace(TRAILING_BACKSLASHES, '');
  return v.trim() === '' ? undefined : v;
}

const KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Why a string cannot be a tag or field key, or `undefined` when it can. We accept only plain identifiers
 * (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) that are not reserved: escaping more exotic keys works on the wire but makes
 * every InfluxQL query need quoting.
 */
export function keyProblem(key: string): string | undefined {
  if (!KEY_PATTERN.test(key)) return `key ${JSON.stringify(key)} is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`;
  if (RESERVED_KEYS.has(key)) return `key ${JSON.stringify(key)} is reserved by InfluxDB`;
  return undefined;
}

/** Max length of a string field we write: InfluxDB rejects string field values over 64 KiB. */
export const MAX_STRING_FIELD_BYTES = 64 * 1024 - 1;

/**
 * A string field value fit for line protocol. Newline policy: CR and LF are stored as the two-character escapes
 * `\r` and `\n` (a raw newline would end the line); other control characters except TAB become a space. Well-formed
 * Unicode, truncated to MAX_STRING_FIELD_BYTES of UTF-8 (never splitting a character).
 */
export function sanitiseStringField(value: string): string {
  const v = wellFormed(value)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  return truncateUtf8(v, MAX_STRING_FIELD_BYTES);
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/** `s` cut to at most `maxBytes` of UTF-8, on a character boundary. `s` must be well-formed. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  let i = 0;
  for (const ch of s) {
    const n = utf8Length(ch.codePointAt(0) ?? 0);
    if (bytes + n > maxBytes) return s.slice(0, i);
    bytes += n;
    i += ch.length;
  }
  return s;
}
