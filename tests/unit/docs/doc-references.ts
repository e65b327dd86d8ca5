/**
 * Finds the documents a file cites and checks that each one is in the repository: every `*.md` path a source file,
 * doc or README names (`docs/delivery.md`, `../bench/README.md`), every relative Markdown link, and every `#anchor`
 * used with them (against the target's headings, slugged as GitHub does). Design notes kept outside the repository
 * must not be cited at all (docs/architecture.md is the design). Pure: the caller supplies the files.
 */
import { posix } from 'node:path';

export interface RepoFile {
  /** path from the repository root, `/`-separated */
  path: string;
  text: string;
}

export interface Repo {
  /** the files to scan for references */
  files: readonly RepoFile[];
  /** every file and directory path in the repository (scanned or not), `/`-separated, no trailing slash */
  paths: ReadonlySet<string>;
  /** the text of a Markdown file, for its headings; undefined when not readable */
  markdown(path: string): string | undefined;
}

export interface Problem {
  file: string;
  line: number;
  ref: string;
  message: string;
}

/**
 * Notes that lived outside the repository (the founding design, the coding conventions, the research notes). Their
 * facts, with their public sources, are in docs/; a file citing one of these names points where a reader who cloned
 * the repository cannot follow. Allowed only if the repository itself has the file.
 */
export const FOREIGN_DOCS: readonly string[] = [
  'DESIGN',
  'CONVENTIONS',
  'reliability',
  'perf',
  'oee_energy',
  'china-and-peers',
  'gateways',
  'telegraf',
].map((n) => `${n}.md`);

/** Other ways of pointing outside: the shared folder itself, or the design by name and section. */
const FOREIGN_PATTERNS: readonly { re: RegExp; message: string }[] = [
  { re: /\/work\/shared\b|\bshared\/reference\b/g, message: 'cites a folder outside the repository' },
  {
    re: /\b(?:DESIGN|CONVENTIONS)\b(?!\.md)\s*(?:§|:)/g,
    message: 'cites a design note outside the repository; point into docs/architecture.md',
  },
];

/** Output folders: paths under them are written by the tools, not committed. */
const GENERATED = ['dist/', 'coverage/', 'test-artifacts/', 'bench/results/', 'node_modules/', '.tmp/'];

/** `path/to/file.md` or `../x.md`, optionally with `#anchor`; never part of a URL or a longer word. */
const MD_PATH = /(?<![\w./-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w.-]+\.md)(?![\w])(#[\p{L}\p{N}_-]+)?/gu;
/** `[text](target)` or `[text](target "title")` */
const MD_LINK = /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const FENCE = /^\s{0,3}(```|~~~)/;

/** GitHub's heading anchor (github-slugger): lower case, punctuation and symbols removed, spaces → hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Lines of Markdown outside fenced code blocks (fenced lines become empty, so line numbers stay). */
function withoutCodeFences(markdown: string): string[] {
  let inFence: string | undefined;
  return markdown.split('\n').map((line) => {
    const fence = FENCE.exec(line)?.[1];
    if (fence !== undefined && (inFence === undefined || inFence === fence)) {
      inFence = inFence === undefined ? fence : undefined;
      return '';
    }
    return inFence === undefined ? line : '';
  });
}

/** Every anchor a Markdown file offers: its headings' slugs (duplicates get -1, -2…) and explicit `<a id>`s. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCodeFences(markdown)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (h?.[1] !== undefined) {
      const base = githubSlug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) if (a[1]) anchors.add(a[1]);
  }
  return anchors;
}

interface Reference {
  line: number;
  ref: string;
  /** target path as written, without the anchor; '' for an anchor in the same file */
  target: string;
  anchor: string | undefined;
  /** Markdown links resolve against the linking file's folder only, like GitHub does */
  link: boolean;
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function references(file: RepoFile): Reference[] {
  const out: Reference[] = [];
  for (const m of file.text.matchAll(MD_PATH)) {
    const target = m[1] ?? '';
    const anchor = m[2]?.slice(1);
    out.push({ line: lineAt(file.text, m.index), ref: m[0], target, anchor, link: false });
  }
  if (file.path.endsWith('.md')) {
    withoutCodeFences(file.text).forEach((text, i) => {
      for (const m of text.matchAll(MD_LINK)) {
        const ref = m[1] ?? '';
        if (URL_SCHEME.test(ref)) continue;
        const hash = ref.indexOf('#');
        const target = hash === -1 ? ref : ref.slice(0, hash);
        const anchor = hash === -1 ? undefined : ref.slice(hash + 1);
        out.push({ line: i + 1, ref, target: decodeURI(target), anchor, link: true });
      }
    });
  }
  return out;
}

/** The repository path a reference names, or undefined when no candidate exists. */
function resolve(repo: Repo, from: string, r: Reference): string | undefined {
  if (r.target === '') return from;
  const dir = posix.dirname(from);
  const clean = (p: string) => posix.normalize(p).replace(/\/+$/, '');
  const candidates =
    r.link || r.target.startsWith('./') || r.target.startsWith('../')
      ? [clean(posix.join(dir, r.target))]
      : [clean(r.target), clean(posix.join(dir, r.target))];
  return candidates.find((p) => repo.paths.has(p));
}

/** Every reference in `repo.files` that points nowhere, at a missing anchor, or outside the repository. */
export function checkReferences(repo: Repo): Problem[] {
  const problems: Problem[] = [];
  const anchorsOf = new Map<string, Set<string> | undefined>();
  const anchors = (path: string) => {
    if (!anchorsOf.has(path)) {
      const md = repo.markdown(path);
      anchorsOf.set(path, md === undefined ? undefined : headingAnchors(md));
    }
    return anchorsOf.get(path);
  };
  for (const file of repo.files) {
    const seen = new Set<string>();
    const report = (line: number, ref: string, message: string) => {
      const key = `${line}\u0000${ref}\u0000${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      problems.push({ file: file.path, line, ref, message });
    };
    for (const r of references(file)) {
      const foreign = FOREIGN_DOCS.includes(posix.basename(r.target));
      const bare = !r.link && !r.target.includes('/');
      if (bare && !foreign && r.anchor === undefined) continue; // a file name in passing (`flakes.md` output)
      if (GENERATED.some((g) => posix.normalize(r.target).startsWith(g))) continue;
      const path = resolve(repo, file.path, r);
      if (path === undefined) {
        report(
          r.line,
          r.ref,
          foreign
            ? 'cites a note kept outside the repository; point into docs/ (docs/architecture.md or the page that holds the fact)'
            : 'names a file that is not in the repository',
        );
        continue;
      }
      if (r.anchor === undefined || r.anchor === '') continue;
      if (!path.endsWith('.md')) {
        report(r.line, r.ref, 'has an #anchor but does not point at a Markdown file');
        continue;
      }
      const known = anchors(path);
      if (known && !known.has(r.anchor)) report(r.line, r.ref, `${path} has no heading for #${r.anchor}`);
    }
    for (const { re, message } of FOREIGN_PATTERNS) {
      for (const m of file.text.matchAll(re)) report(lineAt(file.text, m.index), m[0], message);
    }
  }
  return problems;
}

/** `file:line ref — message`, one per line, for an assertion message a reader can act on. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line} ${p.ref} — ${p.message}`).join('\n');
}
