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
    // The run gets its own TMPDIR, which must be empty at the end (the run fails otherwise), and its own
    // XDG_STATE_HOME: the CLI keeps bonds in a per-user file by default, and tests never in $HOME.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
