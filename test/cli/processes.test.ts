/**
 * The command line end to end as separate processes, as a user runs it:
 * `ble-smp controller --listen` in one, `ble-smp serve` and `ble-smp pair` in
 * two others, over loopback TCP; the keys each side prints agree.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
// A build of its own (under the git-ignored test-results/), so the packaging test's rebuild of dist/ can never
// race these processes; inside the repository, node_modules and the package's "type": "module" still apply.
const outDir = resolve(root, 'test-results/cli-build');
const bin = resolve(outDir, 'cli/bin.js');
const children: ChildProcess[] = [];

/** Starts `ble-smp ...args`; returns the process and an async iterator over its JSON stdout lines. */
function start(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? -1)));
  const next = async (type: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`ble-smp ${args[0]} ended before printing a '${type}' line`);
      const object = JSON.parse(value) as Record<string, unknown>;
      if (object.type === type) return object;
    }
  };
  return { child, next, exited };
}

describe('ble-smp controller, serve and pair as three processes', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: root,
      stdio: 'ignore',
    });
    if (!existsSync(bin)) throw new Error(`the build did not produce ${bin}`);
  }, 120_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('pair by Numeric Comparison over loopback TCP, both exit 0, and the keys printed agree', async () => {
    const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
    const { listen } = await controller.next('ready');
    const common = ['--hci', String(listen), '--json', '--io-cap', 'display-yes-no', '--confirm', 'yes'];
    const serve = start(['serve', ...common, '--once']);
    const ready = await serve.next('ready');
    const pair = start([
      'pair',
      ...common,
      '--peer',
      `${String(ready.address)}/${ready.addressType === 1 ? 'random' : 'public'}`,
    ]);
    const [central, peripheral] = await Promise.all([pair.next('paired'), serve.next('paired')]);
    expect(await pair.exited).toBe(0);
    expect(await serve.exited).toBe(0);
    expect(central).toMatchObject({
      method: 'sc',
      model: 'numeric-comparison',
      keySize: 16,
      authenticated: true,
    });
    expect(peripheral).toMatchObject({
      method: 'sc',
      model: 'numeric-comparison',
      keySize: 16,
      authenticated: true,
    });
    expect(central.received).toEqual(peripheral.distributed);
    expect(central.distributed).toEqual(peripheral.received);
    controller.child.kill('SIGINT');
    expect(await controller.exited).toBe(0);
  }, 60_000);
});
