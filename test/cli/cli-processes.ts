/**
 * The command line as separate processes, as a user runs it: a build of the
 * CLI made once per test file, `ble-smp ...` started from it, its `--json`
 * lines read one by one, and every process killed after the file's tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';

export const root = resolve(import.meta.dirname, '../..');

/** One `ble-smp` process: its JSON lines, read in order, and its exit status. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** The next line of this type (the lines before it are skipped, and kept in `lines`). */
  next(type: string): Promise<Record<string, unknown>>;
  /** Every JSON line read so far. */
  readonly lines: Record<string, unknown>[];
  /** Reads the lines left until the output ends; resolves to every line. */
  rest(): Promise<Record<string, unknown>[]>;
  /** What it wrote on stderr so far. */
  stderr(): string;
  readonly exited: Promise<number>;
}

/**
 * Builds the CLI before the file's tests into `test-results/<name>` (a build of
 * the file's own, under the git-ignored test-results/, so neither the packaging
 * test's rebuild of dist/ nor another file's build can race its processes;
 * inside the repository, node_modules and the package's "type": "module" still
 * apply) and kills what is still running after them. Returns `start`.
 */
export function cliProcesses(name: string): { start(args: string[]): CliProcess } {
  const outDir = resolve(root, 'test-results', name);
  const bin = resolve(outDir, 'cli/bin.js');
  const children: ChildProcess[] = [];
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

  /** Starts `ble-smp ...args`. */
  function start(args: string[]): CliProcess {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const input = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise<number>((done) => child.on('exit', (code) => done(code ?? -1)));
    const lines: Record<string, unknown>[] = [];
    const next = async (type: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const { value, done } = await input.next();
        if (done) {
          throw new Error(`ble-smp ${args[0]} ended before printing a '${type}' line; stderr: ${stderr}`);
        }
        const object = JSON.parse(value) as Record<string, unknown>;
        lines.push(object);
        if (object.type === type) return object;
      }
    };
    const rest = async () => {
      for await (const value of { [Symbol.asyncIterator]: () => input }) {
        lines.push(JSON.parse(value) as Record<string, unknown>);
      }
      return lines;
    };
    return { child, next, lines, rest, stderr: () => stderr, exited };
  }
  return { start };
}
