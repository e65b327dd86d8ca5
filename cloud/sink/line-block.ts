/**
 * What the sink writes: line protocol already serialised — one spooled message's lines, joined by `\n` — and how
 * many lines that is. Blocks are concatenated into requests as they are; only a refused request is split into its
 * lines (`text` never holds a raw newline inside a line: string fields store it as `\n`, tags replace it).
 */
export interface LineBlock {
  text: string;
  lines: number;
}

/** The single lines of some blocks (for the refusal paths only). */
export function splitBlocks(blocks: readonly LineBlock[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.lines === 1) out.push(b.text);
    else for (const l of b.text.split('\n')) if (l !== '') out.push(l);
  }
  return out;
}
