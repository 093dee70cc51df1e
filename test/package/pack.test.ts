/**
 * The published shape: `npm pack` gives a tarball that another project installs
 * and imports from `ble-smp/crypto`, and whose `ble-smp` binary runs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { scratchDir } from '../scratch.js';

const root = resolve(import.meta.dirname, '../..');
const scratch = scratchDir('ble-smp-pack-');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });

describe('the packed tarball', () => {
  beforeAll(() => {
    npm(['pack', '--pack-destination', scratch], root); // prepack builds dist/
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    );
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, tarball)], scratch);
  }, 180_000);

  it('passes publint (strict) and arethetypeswrong (ESM-only profile), as CI checks it', () => {
    const tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith('.tgz'))!);
    const bin = (name: string) => join(root, 'node_modules/.bin', name);
    const publint = execFileSync(bin('publint'), ['run', '--strict', tarball], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(publint).toContain('All good!');
    // Exits 1 on any problem; the table names every entry point, each resolving to ESM with types.
    const attw = execFileSync(bin('attw'), ['--profile', 'esm-only', '--format', 'table-flipped', tarball], {
      cwd: root,
      encoding: 'utf8',
    });
    for (const entry of Object.keys(packageJson.exports).filter((e) => e !== './package.json')) {
      expect(attw).toContain(`"${entry === '.' ? 'ble-smp' : `ble-smp/${entry.slice(2)}`}"`);
    }
  });

  it('ships dist, the vectors and the docs files, and no tests or sources', () => {
    const files = npm(['pack', '--dry-run', '--json'], root);
    const paths = (JSON.parse(files) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(paths).toContain('dist/crypto/index.js');
    expect(paths).toContain('dist/crypto/index.d.ts');
    expect(paths).toContain('vectors/smp-spec-vectors.json');
    expect(paths).toContain('LICENSE');
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('src/') || p.endsWith('.map'))).toEqual(
      [],
    );
  });

  it("lets another project import { f5 } from 'ble-smp/crypto' and reproduce the f5 vector", () => {
    const script = `
      import { f5, fromHex, toHex } from 'ble-smp/crypto';
      const { macKey, ltk } = f5(
        fromHex('98a6bf73f3348d86f166f8b4136b79999b7d390aa610103405adc857a33402ec'),
        fromHex('abae2b71ecb2ffff3e7377d15484cbd5'),
        fromHex('cfc43dfff78365216e5fa725cce7e8a6'),
        fromHex('cebf3737125600'),
        fromHex('c1cf2d7013a700'),
      );
      console.log(toHex(macKey), toHex(ltk));`;
    writeFileSync(join(scratch, 'f5.mjs'), script);
    const out = execFileSync('node', ['f5.mjs'], { cwd: scratch, encoding: 'utf8' });
    // Core Vol 3 Part H Appendix D.3, little-endian.
    expect(out.trim()).toBe('206e63ce206a3ffd024a08a176f16529 380a7594b522059823cdd76911798669');
  });

  it('resolves ble-smp/crypto/node and the root entry', () => {
    writeFileSync(
      join(scratch, 'node-backend.mjs'),
      `import { e, fromHex, toHex } from 'ble-smp/crypto';
       import { nodeBackend } from 'ble-smp/crypto/node';
       import { VERSION } from 'ble-smp';
       console.log(VERSION, toHex(e(fromHex('0f0e0d0c0b0a09080706050403020100'), fromHex('ffeeddccbbaa99887766554433221100'), nodeBackend)));`,
    );
    const out = execFileSync('node', ['node-backend.mjs'], { cwd: scratch, encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+ 5ac5b47080b7cdd830047b6ad8e0c469$/);
  });

  it('runs on node:crypto by default under Node, and on the pure-JavaScript backend where node:crypto is absent', () => {
    const script = (hide: boolean) => `
      ${hide ? 'process.getBuiltinModule = undefined;' : ''}
      const { defaultBackend, derivePublicKey, DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY, equalBytes } = await import('ble-smp/crypto');
      console.log(defaultBackend().name, equalBytes(derivePublicKey(DEBUG_PRIVATE_KEY), DEBUG_PUBLIC_KEY));`;
    writeFileSync(join(scratch, 'default.mjs'), script(false));
    writeFileSync(join(scratch, 'no-node-crypto.mjs'), script(true));
    const run = (file: string) => execFileSync('node', [file], { cwd: scratch, encoding: 'utf8' }).trim();
    expect(run('default.mjs')).toBe('node true');
    expect(run('no-node-crypto.mjs')).toBe('noble true');
  });

  it('lets another project pair two sessions through ble-smp/smp', () => {
    writeFileSync(
      join(scratch, 'smp.mjs'),
      `import { acceptAll, pairInMemory } from 'ble-smp/smp';
       const a = { address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 };
       const b = { address: Uint8Array.of(6, 5, 4, 3, 2, 1), type: 0 };
       const run = await pairInMemory({ options: { local: a, peer: b }, delegate: acceptAll }, { options: { local: b, peer: a }, delegate: acceptAll });
       console.log(run.initiator.status, run.responder.status, run.initiator.result.model);`,
    );
    const out = execFileSync('node', ['smp.mjs'], { cwd: scratch, encoding: 'utf8' });
    expect(out.trim()).toBe('completed completed just-works');
  });

  it('installs a working ble-smp binary', () => {
    const out = execFileSync(join(scratch, 'node_modules/.bin/ble-smp'), ['vectors', '--no-timing'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    expect(out).toContain('All 92 vector runs match (46 vectors x 2 backends).');
  });
});
