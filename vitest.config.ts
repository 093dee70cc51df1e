import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  // Examples import the package by name, as a user's project would; tests resolve it to the sources.
  resolve: {
    alias: [
      { find: /^ble-smp\/crypto\/node$/, replacement: src('crypto/node.ts') },
      { find: /^ble-smp\/smp$/, replacement: src('smp/index.ts') },
      { find: /^ble-smp\/trace$/, replacement: src('trace/index.ts') },
      { find: /^ble-smp\/noble$/, replacement: src('integrations/noble/index.ts') },
      { find: /^ble-smp\/bleno$/, replacement: src('integrations/bleno/index.ts') },
      { find: /^ble-smp\/crypto$/, replacement: src('crypto/index.ts') },
      { find: /^ble-smp$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run 1,000 cases per function on two backends; P-256 cases are slow in pure JS.
    testTimeout: 120_000,
    // The CLI keeps bonds in a per-user file by default: tests keep theirs in a scratch directory, never in $HOME.
    env: { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'ble-smp-test-state-')) },
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
