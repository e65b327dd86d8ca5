// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${…} references
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRefs, resolveRefs } from '../../../config/refs.js';

const opts = (env: Record<string, string>) => ({ env, baseDir: '/nonexistent' });

describe('references', () => {
  it('substitutes whole and embedded references and keeps the escape literal', async () => {
    const data = {
      a: '${env:A}',
      b: 'x-${env:A}-${env:B}-y',
      c: '$${env:A} costs $5 and {braces}',
      list: ['${env:B}', 7, true, null],
    };
    const r = await resolveRefs(data, opts({ A: '1', B: 'two' }));
    expect(r.issues).toEqual([]);
    expect(r.data).toEqual({
      a: '1',
      b: 'x-1-two-y',
      c: '${env:A} costs $5 and {braces}',
      list: ['two', 7, true, null],
    });
    expect(r.sites).toEqual([
      { path: ['a'], whole: true, ok: true },
      { path: ['b'], whole: false, ok: true },
      { path: ['list', 0], whole: true, ok: true },
    ]);
  });

  it('allows an empty variable but not an unset one, and never substitutes keys', async () => {
    const r = await resolveRefs({ '${env:K}': '${env:EMPTY}', b: '${env:UNSET}' }, opts({ EMPTY: '' }));
    expect(r.data).toEqual({ '${env:K}': '', b: '${env:UNSET}' });
    expect(r.issues).toEqual([
      { path: ['b'], message: '${env:UNSET}: environment variable UNSET is not set' },
    ]);
  });

  it.each([
    ['${env:}', '${env:…} needs a variable name, got ""'],
    ['${env:A B}', '${env:…} needs a variable name, got "A B"'],
    ['${file:}', '${file:…} needs a path'],
    ['${cred:../x}', '${cred:…} needs a credential name, got "../x"'],
    ['${secret:x}', 'unknown reference `${secret…}`'],
    ['abc ${env:A', 'unterminated reference'],
  ])('explains what is wrong with %s', (text, message) => {
    const r = parseRefs(text);
    expect(typeof r).toBe('string');
    expect(r).toContain(message);
  });

  it('leaves every string without `${` exactly as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((s) => !s.includes('${')),
        async (s) => {
          const r = await resolveRefs({ v: s }, opts({}));
          expect(r.data).toEqual({ v: s });
          expect(r.issues).toEqual([]);
        },
      ),
    );
  });

  it('turns `$${` into a literal `${` whatever surrounds it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((s) => !s.includes('$') && !s.includes('{')),
        fc.string().filter((s) => !s.includes('$')),
        async (before, after) => {
          const r = await resolveRefs({ v: `${before}$\${${after}` }, opts({}));
          expect(r.data).toEqual({ v: `${before}\${${after}` });
        },
      ),
    );
  });
});
