#!/usr/bin/env node
/**
 * Every public function and class method has an @example in its TSDoc: reads
 * the JSON that `typedoc --json` writes and exits 1, listing the ones without.
 * Inherited members, Error's captureStackTrace/prepareStackTrace and interface
 * members are not counted (an interface documents a shape the user fills in).
 *
 * usage: node scripts/check-examples.mjs <typedoc.json>   (npm run docs:examples)
 */
import { readFileSync } from 'node:fs';

/**
 * Methods allowed to lack an example for now, as `Class.method`: none left. An
 * entry that has an example, or no longer exists, fails the check, so that the
 * list only shrinks.
 */
const PENDING = new Set([]);

const Kind = { Interface: 256, Function: 64, Method: 2048 };

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/check-examples.mjs <typedoc.json>');
  process.exit(2);
}
const project = JSON.parse(readFileSync(file, 'utf8'));

const hasExample = (signature) => (signature.comment?.blockTags ?? []).some((tag) => tag.tag === '@example');

const checked = [];
/** Walks the reflection tree; `path` names the reflection (`ble-smp.index.Host.open`), `parent` is its owner. */
function walk(reflection, path, parent) {
  const name = path ? `${path}.${reflection.name}` : reflection.name;
  const callable = reflection.kind === Kind.Function || reflection.kind === Kind.Method;
  if (callable && !reflection.inheritedFrom && !reflection.flags?.isExternal) {
    const signatures = reflection.signatures ?? [];
    const inherited = signatures.some((signature) => signature.inheritedFrom);
    const skipped = /StackTrace$/.test(reflection.name) || parent?.kind === Kind.Interface;
    if (!inherited && !skipped) {
      checked.push({
        name,
        short: parent ? `${parent.name}.${reflection.name}` : reflection.name,
        ok: signatures.some(hasExample),
      });
    }
  }
  for (const child of reflection.children ?? []) walk(child, name, reflection);
}
walk(project, '', undefined);

const missing = checked.filter((entry) => !entry.ok && !PENDING.has(entry.short));
const pending = checked.filter((entry) => !entry.ok && PENDING.has(entry.short));
const stale = [...PENDING].filter((short) => !pending.some((entry) => entry.short === short));
const passed = checked.length - missing.length - pending.length;

console.log(
  `${passed} of ${checked.length} public functions and class methods have an @example` +
    (pending.length ? `; ${pending.length} pending (${pending.map((e) => e.short).join(', ')})` : ''),
);
if (missing.length) {
  console.error(`\n${missing.length} without an @example:`);
  for (const entry of missing) console.error(`  ${entry.name}`);
}
if (stale.length) {
  console.error('\nin PENDING but with an example, or gone (take it off the list):');
  for (const short of stale) console.error(`  ${short}`);
}
process.exit(missing.length || stale.length ? 1 : 0);
