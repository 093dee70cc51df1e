/**
 * A process that writes a bond store, for the crash and concurrency tests
 * (bundled to plain JavaScript by the test, then run with node):
 *
 *   node writer.mjs PATH loop             put legacyBond(n), n = 0, 1, 2... after the bonds already there, until killed
 *   node writer.mjs PATH batch W COUNT    on a line "go" on stdin, put legacyBond(0..COUNT-1, W), then exit
 *
 * Prints `{"irk": hex}` once the store is open, then `ready`; in a loop, `written` after the first put.
 */
import { createInterface } from 'node:readline';
import { toHex } from '../../../src/crypto/bytes.js';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { LOCAL, legacyBond } from './samples.js';

const [path, mode, writer, count] = process.argv.slice(2);
const store = FileBondStore.open({ local: LOCAL, path: path!, lockTimeoutMs: 20_000 });

if (mode === 'loop') {
  console.log(JSON.stringify({ irk: toHex(store.localIrk()) }));
  console.log('ready');
  const first = [...store.list()].length;
  store.put(legacyBond(first));
  console.log('written');
  for (let n = first + 1; ; n++) store.put(legacyBond(n));
} else {
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  lines.once('line', () => {
    console.log(JSON.stringify({ irk: toHex(store.localIrk()) }));
    for (let n = 0; n < Number(count); n++) store.put(legacyBond(n, Number(writer)));
    lines.close();
  });
}
