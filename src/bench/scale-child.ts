/**
 * One scale run in a process of its own, for `npm run bench`: the parent
 * starts it with V8 flags (an old-space cap) and reads the JSON line it
 * prints. `node --expose-gc dist/bench/scale-child.js 5000`; with `baseline`
 * instead of a number, it prints only `{"heapBeforeMiB": ...}`: the heap such
 * a process holds, modules loaded, before any host.
 * @module
 */
import { nodeBackend } from '../crypto/backends/node.js';
import { scaleRun } from './stack-bench.js';

if (process.argv[2] === 'baseline') {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(
    `${JSON.stringify({ heapBeforeMiB: process.memoryUsage().heapUsed / 1024 / 1024 })}\n`,
  );
} else {
  const connections = Number(process.argv[2] ?? 5000);
  process.stdout.write(`${JSON.stringify(await scaleRun(connections, nodeBackend))}\n`);
}
