/**
 * One scale run in a process of its own, for `npm run bench`: the parent
 * starts it with V8 flags (an old-space cap) and reads the JSON line it
 * prints. `node --expose-gc dist/bench/scale-child.js 5000`.
 * @module
 */
import { nodeBackend } from '../crypto/backends/node.js';
import { scaleRun } from './stack-bench.js';

const connections = Number(process.argv[2] ?? 5000);
process.stdout.write(`${JSON.stringify(await scaleRun(connections, nodeBackend))}\n`);
