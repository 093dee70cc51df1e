import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { type Toolbox, toolbox } from '../../src/crypto/toolbox.js';

/** Both backends, as toolboxes, for `describe.each`. */
export const BACKENDS: ReadonlyArray<{ name: string; tb: Toolbox }> = [nobleBackend, nodeBackend].map(
  (b) => ({
    name: b.name,
    tb: toolbox(b),
  }),
);
