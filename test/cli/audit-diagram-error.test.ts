/** `ble-smp audit --diagram` into a folder that does not exist: exit 2 with one line naming the file, no stack. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { scratchDir } from '../scratch.js';

const MAILING = resolve(
  import.meta.dirname,
  '../fixtures/traces/mailing-list-2019-legacy-jw-keydist-violation.btmon.txt',
);

it('--diagram to a missing folder exits 2 with a one-line error', async () => {
  const diagram = join(scratchDir('ble-smp-audit-'), 'missing', 'chart.svg');
  const err: string[] = [];
  const status = await main(['audit', MAILING, '--diagram', diagram], {
    out: () => undefined,
    err: (t) => err.push(t),
  });
  expect(status).toBe(2);
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(/^ble-smp audit: cannot write the diagram .*chart\.svg: ENOENT/);
  expect(err[0]).not.toContain('\n');
  expect(existsSync(diagram)).toBe(false);
});
