/**
 * Every TypeScript snippet of README.md and docs/*.md compiles against the
 * built package, imported as `ble-smp`, `ble-smp/smp`, ... by a user's
 * project (strict, NodeNext, the repository's compiler options). A snippet
 * whose first line is `// fragment: why` is not compiled, and is reported as
 * skipped with its reason. The convention is described in test/docs/snippets.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Compiled,
  compileSnippets,
  extractSnippets,
  fencedBlocks,
  markdownFiles,
  removeScratch,
  type Snippet,
  TYPESCRIPT,
  where,
} from './snippets.js';

const root = resolve(import.meta.dirname, '../..');
const docs = markdownFiles(root).map((doc) => ({ doc, text: readFileSync(resolve(root, doc), 'utf8') }));
const snippets = docs.flatMap(({ doc, text }) => extractSnippets(doc, text));
const compiled = snippets.filter((s) => s.fragment === null);
const fragments = snippets.filter((s) => s.fragment !== null);

let result: Compiled | undefined;
beforeAll(() => {
  result = compileSnippets(root, compiled);
}, 120_000);
afterAll(() => {
  if (result) removeScratch(result.directory);
});

describe('the snippet reader', () => {
  it('reads fences of backticks and tildes, indented ones, and the fragment marker', () => {
    const markdown = [
      '# t',
      '```ts',
      "import { VERSION } from 'ble-smp';",
      '```',
      '',
      '- a list item:',
      '',
      '   ~~~~typescript title',
      '   // fragment: the body of a callback',
      '   ```',
      '   ~~~~',
      '```sh',
      'npm test',
      '```',
      '```ts',
      'never closed',
    ].join('\n');
    expect(extractSnippets('x.md', markdown)).toEqual([
      { doc: 'x.md', line: 2, code: "import { VERSION } from 'ble-smp';", fragment: null },
      {
        doc: 'x.md',
        line: 8,
        code: '// fragment: the body of a callback\n```',
        fragment: 'the body of a callback',
      },
      { doc: 'x.md', line: 15, code: 'never closed', fragment: null },
    ]);
  });

  it('finds snippets in README.md and in docs/*.md', () => {
    expect(docs.map((d) => d.doc)).toContain('README.md');
    expect(docs.some((d) => d.doc.startsWith('docs/'))).toBe(true);
    expect(snippets.length).toBeGreaterThan(0);
  });

  it('finds no code importing the package outside a ts block (it would not be compiled)', () => {
    const untyped = docs.flatMap(({ doc, text }) =>
      fencedBlocks(text)
        .filter((b) => !TYPESCRIPT.has(b.language) && /\bfrom\s+['"]ble-smp(\/|['"])/.test(b.code))
        .map((b) => `${doc}:${b.line} (${b.language || 'no language'})`),
    );
    expect(untyped).toEqual([]);
  });

  it.each(fragments.map((s) => [where(s), s] as const))('%s, a fragment, gives its reason', (_, s) => {
    expect(s.fragment).not.toBe('');
  });
});

describe(`${snippets.length} TypeScript snippets: ${compiled.length} compiled, ${fragments.length} marked fragment`, () => {
  it('the package declarations and compiler options give no error', () => {
    expect(result!.elsewhere).toEqual([]);
  });

  it('the package resolves through its exports to dist/*.d.ts, not to the sources', () => {
    expect(result!.packageFiles.length).toBeGreaterThan(0);
    expect(result!.packageFiles.filter((path) => !/^dist\/.*\.d\.ts$/.test(path))).toEqual([]);
  });

  for (const snippet of snippets) {
    if (snippet.fragment !== null) {
      it.skip(`${where(snippet)} (not compiled, fragment: ${snippet.fragment || 'no reason given'})`, () => {});
      continue;
    }
    it(where(snippet), () => {
      const errors = result!.diagnostics.get(snippet as Snippet)!;
      expect(errors, `${where(snippet)} does not compile:\n${errors.join('\n')}`).toEqual([]);
    });
  }
});
