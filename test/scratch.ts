/**
 * Scratch directories for tests: made under the OS temp directory (a folder
 * of this test run, see test/global-setup.ts) and removed after the test
 * file's tests, whether they passed or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered when a test file first imports this module: it runs after the
// file's other afterAll hooks (vitest runs them in reverse order), so the
// processes and servers those stop are gone before their folders are.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/**
 * A new empty directory named `prefix` plus six random characters, removed
 * with everything in it after the test file.
 * @example
 * ```ts
 * const file = join(scratchDir('ble-smp-vectors-'), 'vectors.json');
 * ```
 */
export function scratchDir(prefix = 'ble-smp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
