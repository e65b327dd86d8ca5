import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { ConfigProblem } from './errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import { MAX_YAML_DEPTH, positionOf, yamlNestingProblem } from './yaml-depth.js';

export interface Position {
  line: number;
  column: number;
}

/** Where to point for a key path: at its value (type errors) or at its key (unknown or duplicate keys). */
export type Anchor = 'value' | 'key';

/** A parsed YAML config that can tell the line and column of any key path. */
export interface YamlSource {
  /** the document as plain data (null for an empty file) */
  data: unknown;
  /** YAML syntax problems and duplicate keys */
  problems: ConfigProblem[];
  /** true when the document structure cannot be trusted (syntax errors other than duplicate keys) */
  broken: boolean;
  locate(path: KeyPath, anchor?: Anchor): Position;
}

/**
 * References (`${env:X}`) contain `{` and `}`, which are flow indicators: `{ password: ${env:X} }` would not parse.
 * Before parsing, a reference's `${` and `}` are swapped for private-use characters of the same length (so lines
 * and columns stay exact); after parsing they are swapped back in every key and string.
 */
const REF_IN_TEXT = /\$\{((?:env|file|cred):[^}\n]*)\}/g;
const OPEN = '\uE000';
const CLOSE = '\uE001';

function shieldRefs(text: string): string {
  return text.replace(REF_IN_TEXT, `$${OPEN}$1${CLOSE}`);
}

function unshield(s: string): string {
  return s.includes(OPEN) ? s.replaceAll(`$${OPEN}`, '${').replaceAll(CLOSE, '}') : s;
}

function unshieldTree(v: unknown): unknown {
  if (typeof v === 'string') return unshield(v);
  if (Array.isArray(v)) return v.map(unshieldTree);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[unshield(k)] = unshieldTree(x);
    return out;
  }
  return v;
}

/** Parses YAML 1.2 (core schema: `yes`/`on` stay strings) with positions for every node. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const shielded = shieldRefs(text);
  const tooDeep = yamlNestingProblem(shielded);
  if (tooDeep !== undefined) {
    const message = `YAML: nested more than ${MAX_YAML_DEPTH} levels deep`;
    const problem = { file, ...positionOf(text, tooDeep.offset), path: '', message };
    return { data: null, problems: [problem], broken: true, locate: () => ({ line: 1, column: 1 }) };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(shielded, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
  });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: ConfigProblem[] = [];
  let broken = false;
  for (const err of doc.errors) {
    const pos = at(err.pos[0]);
    if (err.code === 'DUPLICATE_KEY') {
      problems.push({
        file,
        ...pos,
        path: formatKeyPath(pathAtOffset(doc, err.pos[0])),
        message: 'duplicate key',
      });
      continue;
    }
    // after the first syntax error the rest is mostly an echo of it: report that one only
    if (broken) continue;
    broken = true;
    problems.push({ file, ...pos, path: '', message: `YAML: ${unshield(firstLine(err.message))}` });
  }
  for (const w of doc.warnings) {
    if (broken) break;
    problems.push({ file, ...at(w.pos[0]), path: '', message: `YAML: ${unshield(firstLine(w.message))}` });
    broken = true;
  }
  let data: unknown = null;
  try {
    data = unshieldTree(doc.toJS({ maxAliasCount: 1000 }));
  } catch (err) {
    // e.g. an alias bomb: report, never crash
    problems.push({ file, line: 1, column: 1, path: '', message: `YAML: ${firstLine(String(err))}` });
    broken = true;
  }
  return {
    data,
    problems,
    broken,
    locate(path, anchor = 'value') {
      const offset = offsetOf(doc, path, anchor);
      return offset === undefined ? { line: 1, column: 1 } : at(offset);
    },
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function startOf(node: unknown): number | undefined {
  const n = node as Node | null | undefined;
  return n?.range?.[0];
}

/** The offset of the deepest node that exists along `path` (the parent when the last key is missing). */
function offsetOf(doc: Document, path: KeyPath, anchor: Anchor): number | undefined {
  let node: unknown = doc.contents;
  let best = startOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    node = deref(doc, node);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const keyStart = startOf(pair.key);
      if (last && anchor === 'key' && keyStart !== undefined) return keyStart;
      // `key:` with no value points at the key
      best = startOf(pair.value) ?? keyStart ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return best;
      best = startOf(item) ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}

/** The key path of the map key that starts at or contains `offset` (for duplicate-key errors). */
function pathAtOffset(doc: Document, offset: number): KeyPath {
  const walk = (node: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as Node | null;
        const key = isScalar(k) ? String(k.value) : '?';
        if (k?.range && offset >= k.range[0] && offset <= k.range[1]) return [...path, key];
        const v = pair.value as Node | null;
        if (v?.range && offset >= v.range[0] && offset <= v.range[2]) return walk(v, [...path, key]);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const it = item as Node | null;
        if (it?.range && offset >= it.range[0] && offset <= it.range[2]) return walk(it, [...path, i]);
      }
    }
    return undefined;
  };
  return walk(doc.contents, []) ?? [];
}
