import { CST, Lexer, Parser } from 'yaml';

/**
 * How deep a config may nest. The `yaml` library composes documents recursively, so a file nested tens of
 * thousands of levels deep (`a: [[[[…]]]]`, 100 KB) overflows the stack; when the overflow lands in V8's regexp
 * compiler the process aborts ("RegExpCompiler Allocation failed - process out of memory") instead of throwing.
 * Found by the fuzzer (tests/fuzz/targets/config-yaml.ts). Our configs nest about six levels.
 */
export const MAX_YAML_DEPTH = 64;

export interface NestingProblem {
  depth: number;
  /** offset in the text where the limit was passed */
  offset: number;
}

const NOT_IN_SOURCE = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

type CstNode = { type?: string; offset?: number; value?: unknown; key?: unknown; items?: unknown[] };

/**
 * Where `text` nests collections deeper than `max`, or undefined. Checked without recursion, before composing:
 * flow collections from the lexer (linear; the CST parser slows down on deep flow nesting), then block
 * collections from the CST.
 */
export function yamlNestingProblem(text: string, max = MAX_YAML_DEPTH): NestingProblem | undefined {
  let flow = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++flow > max) return { depth: flow, offset };
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    if (!NOT_IN_SOURCE.has(token)) offset += token.length;
  }
  for (const doc of new Parser().parse(text)) {
    const stack: [unknown, number][] = [[doc, 0]];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const [node, depth] = next as [CstNode | null | undefined, number];
      if (typeof node !== 'object' || node === null) continue;
      const inner = node.type !== undefined && COLLECTIONS.has(node.type) ? depth + 1 : depth;
      if (inner > max) return { depth: inner, offset: node.offset ?? 0 };
      if (node.value !== undefined) stack.push([node.value, inner]);
      for (const item of node.items ?? []) {
        const it = item as CstNode;
        if (it.key !== undefined) stack.push([it.key, inner]);
        if (it.value !== undefined) stack.push([it.value, inner]);
      }
    }
  }
  return undefined;
}

/** 1-based line and column of `offset` in `text`. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
