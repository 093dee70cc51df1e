/**
 * The suite leaves nothing in the temp directory: test/global-setup.ts gives
 * each run a TMPDIR of its own and fails the run (exit 1, with a list) when
 * anything is left there. Proved on a small vitest run of the same setup, with
 * a test file that leaves a folder behind and one that does not; each run's
 * temp directory is a scratch folder of this test, so only its own entries count.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './scratch.js';

const root = resolve(import.meta.dirname, '..');
const config = resolve(root, 'test/fixtures/temp-check/vitest.config.ts');

function vitest(file: string) {
  const temp = scratchDir('ble-smp-temp-check-');
  const run = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, file],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: temp, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 60_000,
    },
  );
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, left: readdirSync(temp) };
}

describe('the temp directory check', () => {
  it('fails a run whose tests leave entries in the temp directory, naming them, and removes the run folder', () => {
    const { status, output, left } = vitest('leak.fixture.ts');
    expect(output).toMatch(/1 passed/);
    expect(output).toContain('The tests left 2 entries in the temp directory');
    expect(output).toMatch(/^ {2}ble-smp-leak-\w{6}$/m);
    expect(output).toMatch(/^ {2}ble-smp-leak\.txt$/m);
    expect(status).toBe(1);
    expect(left).toEqual([]);
  });

  it('passes a run whose tests remove what they make (scratchDir)', () => {
    const { status, output, left } = vitest('clean.fixture.ts');
    expect(output).toMatch(/1 passed/);
    expect(output).not.toContain('The tests left');
    expect(status).toBe(0);
    expect(left).toEqual([]);
  });
});
