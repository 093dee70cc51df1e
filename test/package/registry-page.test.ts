/**
 * What the registry shows: package.json names the repository, its home page
 * and where to report bugs; every link of the README works on the registry's
 * page, where relative links do not resolve (each is absolute, and a link into
 * this repository names a file or folder that exists); CI lints the packed
 * tarball with publint and arethetypeswrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '../..');
const REPOSITORY = 'https://github.com/ble-smp/ble-smp';

/** The targets of the inline links and link definitions of a Markdown text, code spans and fences left out. */
function links(markdown: string): string[] {
  const prose = markdown
    .replace(/^( {0,3})(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const definitions = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...definitions];
}

describe('package.json', () => {
  it('has repository, homepage and bugs, all on the same repository', () => {
    expect(packageJson.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(packageJson.homepage).toBe(`${REPOSITORY}#readme`);
    expect(packageJson.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });
});

describe('the README on the registry page', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const targets = links(readme);

  it('reads the links of a Markdown text, not those in code', () => {
    expect(
      links(
        '[a](docs/a.md) and [b](<https://x.org/b> "t")\n\n```ts\n[c](d.md)\n```\n`[e](f.md)`\n[g]: ./g.md',
      ),
    ).toEqual(['docs/a.md', 'https://x.org/b', './g.md']);
  });

  it('has only absolute links (or anchors in the page)', () => {
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => !/^(https?:\/\/|mailto:|#)/.test(t))).toEqual([]);
  });

  it('links into this repository only to files and folders that exist, on its main branch', () => {
    const own = targets.filter((t) => t.startsWith(`${REPOSITORY}/`));
    expect(own.length).toBeGreaterThan(5);
    for (const target of own) {
      const match = /^https:\/\/github\.com\/ble-smp\/ble-smp\/(blob|tree)\/main\/([^#?]+)/.exec(target);
      expect(match, target).not.toBeNull();
      expect(existsSync(resolve(root, decodeURIComponent(match![2]!))), target).toBe(true);
    }
  });
});

describe('CI', () => {
  it('runs publint and arethetypeswrong on the packed tarball', () => {
    const ci = readFileSync(resolve(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(/npm pack .*--pack-destination/);
    expect(ci).toMatch(/publint run --strict "\$tarball"/);
    expect(ci).toMatch(/attw --profile esm-only "\$tarball"/);
    expect(packageJson.devDependencies).toMatchObject({
      publint: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      '@arethetypeswrong/cli': expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
  });
});
