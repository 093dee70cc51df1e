/** In-process CLI runs for tests: a line-keeping CommandIo, a controller server, `serve --once --json`. */
import { afterEach, beforeEach } from 'vitest';
import { controllerCommand } from '../../src/cli/commands/controller.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { scratchDir } from '../scratch.js';

export type Json = Record<string, unknown>;

/** A CommandIo that keeps every line and lets a test await the next line, or the first JSON object of a type. */
export function lineIo() {
  const out: string[] = [];
  const err: string[] = [];
  let wake: (() => void) | undefined;
  const io = {
    out: (text: string) => {
      out.push(text);
      wake?.();
    },
    err: (text: string) => {
      err.push(text);
      wake?.();
    },
  };
  const events = () => out.map((line) => JSON.parse(line) as Json);
  /** The first JSON line of this type, once it is printed. */
  async function waitFor(type: string): Promise<Json> {
    for (;;) {
      const found = events().find((e) => e.type === type);
      if (found) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  let read = 0;
  /** The next stdout line not yet returned by next(). */
  async function next(): Promise<string> {
    while (read >= out.length) await new Promise<void>((resolve) => (wake = resolve));
    return out[read++]!;
  }
  /** The next stdout line, parsed as JSON. */
  async function nextJson(): Promise<Json> {
    return JSON.parse(await next()) as Json;
  }
  return { io, out, err, events, waitFor, next, nextJson };
}

// Each test starts with no bonds: the default bond store files live under a fresh XDG_STATE_HOME.
beforeEach(() => {
  process.env.XDG_STATE_HOME = scratchDir('ble-smp-cli-state-');
});

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Starts a controller server in-process (`extra`: more options, as --profile); resolves to its tcp: address. */
export async function startController(extra: string[] = []): Promise<string> {
  const lines = lineIo();
  const abort = new AbortController();
  const done = controllerCommand(['--listen', 'tcp:127.0.0.1:0', '--json', ...extra], lines.io, abort.signal);
  stops.push(() => {
    abort.abort();
    return done;
  });
  const ready = await lines.waitFor('ready');
  return ready.listen as string;
}

/** Starts `serve --once --json` in-process; resolves once it advertises. */
export async function startServe(hci: string, args: string[]) {
  const lines = lineIo();
  const abort = new AbortController();
  const done = serveCommand(['--hci', hci, '--once', '--json', ...args], lines.io, abort.signal);
  stops.push(() => {
    abort.abort();
    return done;
  });
  // A serve that ends before it is ready fails the test with what it printed, rather than hanging it.
  const ready = await Promise.race([
    lines.waitFor('ready'),
    done.then((status) => {
      throw new Error(`serve exited ${status} before it was ready: ${lines.err.join('\n')}`);
    }),
  ]);
  return { lines, done, address: ready.address as string, addressType: ready.addressType };
}
