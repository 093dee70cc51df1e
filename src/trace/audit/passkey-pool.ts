/**
 * The legacy passkey search on every core, called synchronously.
 *
 * The auditor is synchronous (and runs inside a live streaming audit), so a
 * search cannot await workers. Instead the range is cut into chunks that the
 * calling thread and a pool of worker threads claim from a shared counter
 * (`Atomics.add` on a SharedArrayBuffer), lowest first; the calling thread
 * searches chunks itself and, when none is left to claim, blocks in
 * `Atomics.wait` until the chunks below the best match are done. A match
 * lowers a shared minimum that every participant reads between chunks and
 * every 4096 candidates, so the others stop early, and the answer is the first
 * match in order: the same passkey and evaluation count as a single-threaded
 * search.
 *
 * Robustness: the workers run the source text of `c1Kernel` and
 * `participate` (both self-contained), evaluated with `eval: true`, so there
 * is no worker file to resolve: the same code runs from dist/, under vitest
 * (TypeScript sources), and in a bundle. Workers are `unref()`'d and never
 * keep the process alive. A worker that fails to start, throws, or stalls
 * never breaks a search: the calling thread claims whatever is left, and
 * after {@link STALL_MS} without progress re-searches unfinished chunks
 * itself. A worker that cannot be created turns the pool single-threaded.
 * Ranges under {@link PARALLEL_MIN} candidates run on the calling thread.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type C1Kernel, c1Kernel, compileKernel } from './c1-kernel.js';

/** Ranges with fewer candidates than this are searched on the calling thread (worker hand-off costs more). */
export const PARALLEL_MIN = 50_000;
/**
 * Default cap on workers: 16 threads search 10^6 candidates in about 10 ms, and each worker
 * is an isolate of several megabytes, so a 64-core machine does not start 63 of them.
 */
export const MAX_WORKERS = 15;
/** The calling thread re-searches unfinished chunks after this long without any chunk finishing. */
export const STALL_MS = 250;

/** What a job searches: c1 against a confirm (2.2.3), or s1 against an STK (2.2.4). */
export type SearchKind = 'confirm' | 'stk';

/**
 * Indices into a job's shared Int32Array. FOUND is first so that the view
 * itself is the kernel's `stop` array.
 */
const LAYOUT = {
  found: 0, // smallest matching passkey so far; 0x7fffffff while none
  next: 1, // next chunk to claim
  progress: 2, // bumped (and notified) whenever a chunk finishes or a worker fails
  kind: 3, // 0 confirm, 1 stk
  from: 4,
  to: 5,
  chunk: 6, // candidates per chunk
  chunks: 7,
  words: 8, // 12 words: c1's x, p2, target; or s1's r, mask, target
  state: 20, // one per chunk: 0 free, 1 claimed, 2 done
} as const;
type Layout = typeof LAYOUT;

const NONE = 0x7fffffff;

/**
 * Claims chunks of the job in `view` and searches them with `kernel` until none
 * is left or all remaining ones lie above a match. Self-contained (it runs in
 * the workers from its source text): it uses only its arguments.
 * @example
 * ```ts
 * participate(view, c1Kernel(), LAYOUT); // what each worker does with a posted job
 * ```
 */
export function participate(view: Int32Array, kernel: C1Kernel, layout: Layout, takeOver = false): number {
  const from = view[layout.from]!;
  const to = view[layout.to]!;
  const size = view[layout.chunk]!;
  const chunks = view[layout.chunks]!;
  const w = layout.words;
  const a = view.slice(w, w + 4);
  const b = view.slice(w + 4, w + 8);
  const target = view.slice(w + 8, w + 12);
  const stk = view[layout.kind] === 1;
  let ran = 0;
  const run = (c: number) => {
    ran++;
    const start = from + c * size;
    const end = Math.min(to, start + size - 1);
    if (start <= Atomics.load(view, layout.found)) {
      const hit = stk
        ? kernel.searchStk(a, target, b, start, end, view)
        : kernel.searchConfirm(a, b, target, start, end, view);
      if (hit >= 0) {
        let seen = Atomics.load(view, layout.found);
        while (hit < seen) {
          const was = Atomics.compareExchange(view, layout.found, seen, hit);
          if (was === seen) break;
          seen = was;
        }
      }
    }
    Atomics.store(view, layout.state + c, 2);
    Atomics.add(view, layout.progress, 1);
    Atomics.notify(view, layout.progress);
  };
  if (takeOver) {
    // The calling thread after a stall: every chunk not done at or below the best match, again.
    for (let c = 0; c < chunks; c++) {
      if (Atomics.load(view, layout.state + c) !== 2 && from + c * size <= Atomics.load(view, layout.found))
        run(c);
    }
    return ran;
  }
  for (;;) {
    const c = Atomics.add(view, layout.next, 1);
    if (c >= chunks || from + c * size > Atomics.load(view, layout.found)) return ran;
    Atomics.store(view, layout.state + c, 1);
    run(c);
  }
}

/** The code each worker evaluates: the kernel and `participate` from their source text, then a job loop. */
function workerSource(): string {
  return [
    "'use strict';",
    "const { parentPort } = require('node:worker_threads');",
    // Some TypeScript transforms wrap functions in a naming helper; make it a no-op if one appears.
    'var __name = (f) => f;',
    `const c1Kernel = (${c1Kernel.toString()});`,
    `const participate = (${participate.toString()});`,
    `const layout = ${JSON.stringify(LAYOUT)};`,
    'const kernel = c1Kernel();',
    'parentPort.on("message", (buffer) => {',
    '  const view = new Int32Array(buffer);',
    '  try { participate(view, kernel, layout); }',
    `  catch { Atomics.add(view, layout.progress, 1); Atomics.notify(view, layout.progress); }`,
    '});',
  ].join('\n');
}

/** How a parallel search was shared between the calling thread and the workers. */
export interface SearchShare {
  readonly chunks: number;
  readonly callingThread: number;
}

/** Options of a {@link PasskeyPool}; the defaults suit the auditor. */
export interface PasskeyPoolOptions {
  /** Worker threads besides the calling thread; default `os.availableParallelism() - 1`, at most {@link MAX_WORKERS}. */
  readonly workers?: number;
  /** Candidates below which a search stays on the calling thread; default {@link PARALLEL_MIN}. */
  readonly parallelMin?: number;
  /** The workers' code (tests pass a failing one); default: the kernel and `participate`. */
  readonly workerSource?: string;
}

/**
 * Worker threads for the passkey search, created on the first search that
 * needs them. `search` is synchronous and returns the first matching passkey
 * in `from`..`to`, or -1.
 * @example
 * ```ts
 * const pool = new PasskeyPool();
 * const passkey = pool.search('confirm', words, 0, 999_999); // words: x, p2, target
 * pool.close();
 * ```
 */
export class PasskeyPool {
  readonly #kernel = compileKernel();
  readonly #size: number;
  readonly #parallelMin: number;
  readonly #source: string | undefined;
  #workers: Worker[] | undefined;
  #last: SearchShare = { chunks: 0, callingThread: 0 };

  constructor(options: PasskeyPoolOptions = {}) {
    this.#size = Math.max(0, options.workers ?? Math.min(MAX_WORKERS, availableParallelism() - 1));
    this.#parallelMin = options.parallelMin ?? PARALLEL_MIN;
    this.#source = options.workerSource;
  }

  /**
   * Searches `from`..`to` (inclusive) with `words` = the kernel's three blocks
   * (c1: x, p2, target; s1: r, mask, target), 12 spec-order words in all.
   * Returns the first matching passkey or -1.
   * @example
   * ```ts
   * pool.search('stk', Int32Array.of(...r, ...mask, ...target), 0, 999_999);
   * ```
   */
  search(kind: SearchKind, words: Int32Array, from: number, to: number): number {
    if (to < from) return -1;
    // The shared job holds passkeys as Int32: wider ranges (no passkey is) stay on this thread.
    const shareable = from >= 0 && to < NONE && to - from + 1 >= this.#parallelMin;
    const workers = shareable ? this.#start() : [];
    if (workers.length === 0) {
      const [a, b, target] = [words.subarray(0, 4), words.subarray(4, 8), words.subarray(8, 12)];
      return kind === 'stk'
        ? this.#kernel.searchStk(a, target, b, from, to)
        : this.#kernel.searchConfirm(a, b, target, from, to);
    }
    const count = to - from + 1;
    // Enough chunks for the threads to share the work evenly, each a few milliseconds long.
    const chunk = Math.max(8192, Math.ceil(count / 4096));
    const chunks = Math.ceil(count / chunk);
    const view = new Int32Array(new SharedArrayBuffer(4 * (LAYOUT.state + chunks)));
    view[LAYOUT.found] = NONE;
    view[LAYOUT.kind] = kind === 'stk' ? 1 : 0;
    view[LAYOUT.from] = from;
    view[LAYOUT.to] = to;
    view[LAYOUT.chunk] = chunk;
    view[LAYOUT.chunks] = chunks;
    view.set(words.subarray(0, 12), LAYOUT.words);
    for (const worker of workers) {
      try {
        worker.postMessage(view.buffer);
      } catch {
        // A worker that cannot take the job leaves its share to the others.
      }
    }
    const own = participate(view, this.#kernel, LAYOUT);
    const takenOver = this.#wait(view, chunks, from, chunk);
    this.#last = { chunks, callingThread: own + takenOver };
    const found = Atomics.load(view, LAYOUT.found);
    return found === NONE ? -1 : found;
  }

  /**
   * Threads a parallel search uses now: the calling thread and the live workers.
   * @example
   * ```ts
   * console.log(`${pool.threads} threads`);
   * ```
   */
  get threads(): number {
    return 1 + (this.#workers?.length ?? 0);
  }

  /**
   * How the last parallel search was shared: its chunks, and how many of them
   * the calling thread searched (the rest were the workers').
   * @example
   * ```ts
   * const { chunks, callingThread } = pool.lastSearch;
   * ```
   */
  get lastSearch(): SearchShare {
    return this.#last;
  }

  /**
   * Ends the workers; the next parallel search starts new ones.
   * @example
   * ```ts
   * pool.close();
   * ```
   */
  close(): void {
    const workers = this.#workers ?? [];
    this.#workers = undefined;
    for (const worker of workers) void worker.terminate().catch(() => {});
  }

  /** Blocks until every chunk at or below the best match is done, taking over stalled ones. */
  #wait(view: Int32Array, chunks: number, from: number, chunk: number): number {
    let ran = 0;
    let stalledSince = performance.now();
    let progress = Atomics.load(view, LAYOUT.progress);
    for (;;) {
      const found = Atomics.load(view, LAYOUT.found);
      let pending = false;
      for (let c = 0; c < chunks && !pending; c++) {
        pending = from + c * chunk <= found && Atomics.load(view, LAYOUT.state + c) !== 2;
      }
      if (!pending) return ran;
      Atomics.wait(view, LAYOUT.progress, progress, 20);
      const now = Atomics.load(view, LAYOUT.progress);
      if (now !== progress) {
        progress = now;
        stalledSince = performance.now();
      } else if (performance.now() - stalledSince > STALL_MS) {
        ran += participate(view, this.#kernel, LAYOUT, true);
      }
    }
  }

  /** The workers, created on first use; none if they cannot be created. */
  #start(): Worker[] {
    if (this.#workers) return this.#workers;
    const workers: Worker[] = [];
    try {
      const source = this.#source ?? workerSource();
      for (let i = 0; i < this.#size; i++) {
        const worker = new Worker(source, { eval: true });
        worker.unref();
        // A failing worker is dropped; its chunks are taken over by the calling thread.
        worker.on('error', () => this.#drop(worker));
        worker.on('exit', () => this.#drop(worker));
        workers.push(worker);
      }
    } catch {
      for (const worker of workers) void worker.terminate().catch(() => {});
      workers.length = 0;
    }
    this.#workers = workers;
    return workers;
  }

  #drop(worker: Worker): void {
    const i = this.#workers?.indexOf(worker) ?? -1;
    if (i >= 0) this.#workers!.splice(i, 1);
  }
}

let shared: PasskeyPool | undefined;

/**
 * The process-wide pool the auditor's searches use.
 * @example
 * ```ts
 * const passkey = defaultPool().search('confirm', words, 0, 999_999);
 * ```
 */
export function defaultPool(): PasskeyPool {
  shared ??= new PasskeyPool();
  return shared;
}
