/**
 * Vitest global setup: the test run gets a temp directory of its own, and
 * must leave it empty. TMPDIR (which os.tmpdir() reads) points at a fresh
 * folder for the run, inherited by the test workers and the processes they
 * start; XDG_STATE_HOME (where the CLI keeps bonds by default) is a folder
 * beside it, never $HOME. At teardown, whatever is left in the run's temp
 * directory was made by this run's tests and not removed: it is listed, the
 * run fails (exit status 1), and the folder is removed. Other processes on
 * the machine cannot confuse the check: they do not write there.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run's folders, inside the temp directory the run started with. */
function makeRunFolders(): { run: string; temp: string; state: string } {
  const run = mkdtempSync(join(tmpdir(), 'ble-smp-test-run-'));
  const temp = join(run, 'tmp');
  const state = join(run, 'state');
  mkdirSync(temp);
  mkdirSync(state);
  return { run, temp, state };
}

export default function setup(): () => void {
  const saved = { TMPDIR: process.env.TMPDIR, XDG_STATE_HOME: process.env.XDG_STATE_HOME };
  const { run, temp, state } = makeRunFolders();
  process.env.TMPDIR = temp;
  process.env.XDG_STATE_HOME = state;
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const left = readdirSync(temp);
    rmSync(run, { recursive: true, force: true, maxRetries: 3 });
    if (left.length > 0) {
      process.stderr.write(
        `\nThe tests left ${left.length} entries in the temp directory (remove them with rmSync in afterAll, ` +
          `or make them with scratchDir() of test/scratch.ts):\n  ${left.sort().join('\n  ')}\n`,
      );
      process.exitCode = 1;
    }
  };
}
