/**
 * JSON.parse that keeps integers beyond ±2^53 exact as `bigint` (InfluxDB returns int64 fields as bare JSON
 * numbers; JSON.parse would round 9223372036854775807 to 9223372036854775808). Pure.
 */

const DIGITS = /^-?\d+$/;

function isUnsafeInteger(token: string): boolean {
  if (!DIGITS.test(token)) return false;
  const digits = token.startsWith('-') ? token.length - 1 : token.length;
  return digits > 15 && !Number.isSafeInteger(Number(token));
}

export function parseJsonWithBigInts(text: string): unknown {
  const nonce = `bigint${Math.random().toString(36).slice(2)}:`;
  // written into the JSON as the escape \u0000 (a raw control character is invalid JSON), parsed back as NUL
  const marker = `\u0000${nonce}`;
  let out = '';
  let last = 0;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // skip the string, honouring escapes
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text.charAt(j))) j++;
      const token = text.slice(i, j);
      if (isUnsafeInteger(token)) {
        out += `${text.slice(last, i)}"\\u0000${nonce}${token}"`;
        last = j;
        found = true;
      }
      i = j - 1;
    }
  }
  if (!found) return JSON.parse(text);
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  );
}
