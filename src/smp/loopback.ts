/**
 * Two sessions wired back to back with no controller: PDUs go straight from
 * one to the other, prompts go to each side's delegate, and a minimal
 * "controller" starts encryption only when both sides hold the same key and
 * acknowledges each PDU once delivered. For tests, benchmarks, and anyone
 * checking a policy or delegate without hardware.
 * @module
 */
import { equalBytes } from '../crypto/bytes.js';
import { answerPrompt, type PairingDelegate, type Prompt } from './delegate.js';
import type { SmpPdu } from './pdu.js';
import { PairingSession } from './session.js';
import type {
  PairingFailure,
  PairingResult,
  Role,
  SessionInput,
  SessionOptions,
  SessionOutput,
} from './session-types.js';

/** One side of a loopback pairing. */
export interface LoopbackSide {
  readonly options: Omit<SessionOptions, 'role'>;
  readonly delegate: PairingDelegate;
}

/** How one side ended. */
export type LoopbackOutcome =
  | { readonly status: 'completed'; readonly result: PairingResult }
  | { readonly status: 'failed'; readonly failure: PairingFailure }
  | { readonly status: 'unfinished' };

/** Everything that happened. */
export interface LoopbackRun {
  readonly initiator: LoopbackOutcome;
  readonly responder: LoopbackOutcome;
  /** Every PDU sent, in order, with its sender. */
  readonly transcript: ReadonlyArray<{
    readonly from: Role;
    readonly pdu: SmpPdu;
    readonly data: Uint8Array;
  }>;
  /** Every prompt shown, with the side that showed it. */
  readonly prompts: ReadonlyArray<{ readonly role: Role; readonly prompt: Prompt }>;
  /** Every output of each side, in order. */
  readonly outputs: Readonly<Record<Role, readonly SessionOutput[]>>;
}

/** Options of {@link pairInMemory}. */
export interface LoopbackOptions {
  /** Rewrite (or drop, with null) a PDU in flight: for tests of misbehaving peers. */
  readonly tamper?: (from: Role, data: Uint8Array) => Uint8Array | null;
  /** Stop after this many inputs (default 10,000). */
  readonly maxSteps?: number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * A side's session. `role` comes first: once V8 has optimized it,
 * `{ ...options, role }` gives every copy a hidden class of its own (checked
 * with %HaveSameMap), and that cost about 5 µs per pairing in the bench.
 * Options that name the other role are refused rather than overridden.
 */
function sessionFor(role: Role, side: LoopbackSide): PairingSession {
  const session = new PairingSession({ role, ...side.options });
  if (session.role !== role) {
    throw new TypeError(`pairInMemory: the ${role}'s options say role '${session.role}'`);
  }
  return session;
}

/** The shared engine of both loopback runners: a queue of inputs and the delegates' pending answers. */
class Loopback {
  readonly #sides: Record<Role, { session: PairingSession; delegate: PairingDelegate }>;
  readonly #options: LoopbackOptions;
  readonly #queue: { role: Role; input: SessionInput }[] = [{ role: 'initiator', input: { type: 'start' } }];
  readonly #transcript: LoopbackRun['transcript'][number][] = [];
  readonly #prompts: LoopbackRun['prompts'][number][] = [];
  readonly #outputs: Record<Role, SessionOutput[]> = { initiator: [], responder: [] };
  readonly #outcome: Record<Role, LoopbackOutcome> = {
    initiator: { status: 'unfinished' },
    responder: { status: 'unfinished' },
  };
  #providedKey: Uint8Array | null = null;
  #steps = 0;
  /** Answers still being given (delegates answer concurrently, as people do). */
  readonly pending = new Set<Promise<void>>();

  constructor(initiator: LoopbackSide, responder: LoopbackSide, options: LoopbackOptions) {
    this.#sides = {
      initiator: { session: sessionFor('initiator', initiator), delegate: initiator.delegate },
      responder: { session: sessionFor('responder', responder), delegate: responder.delegate },
    };
    this.#options = options;
  }

  /** Processes inputs until none is left. */
  pump(): void {
    while (this.#queue.length > 0 && this.#steps++ < (this.#options.maxSteps ?? 10_000)) {
      const { role, input } = this.#queue.shift()!;
      for (const output of this.#sides[role].session.handle(input)) this.#act(role, output);
    }
  }

  #act(role: Role, output: SessionOutput): void {
    const other: Role = role === 'initiator' ? 'responder' : 'initiator';
    this.#outputs[role].push(output);
    switch (output.type) {
      case 'send': {
        this.#transcript.push({ from: role, pdu: output.pdu, data: output.data });
        const data = this.#options.tamper ? this.#options.tamper(role, output.data) : output.data;
        if (data) this.#queue.push({ role: other, input: { type: 'pdu', data } });
        this.#queue.push({ role, input: { type: 'acknowledged' } });
        return;
      }
      case 'provide-key':
        this.#providedKey = output.key;
        return;
      case 'start-encryption': {
        const ok = this.#providedKey !== null && equalBytes(this.#providedKey, output.key);
        for (const r of ['initiator', 'responder'] as const) {
          this.#queue.push({ role: r, input: ok ? { type: 'encrypted' } : { type: 'encryption-failed' } });
        }
        return;
      }
      case 'prompt': {
        this.#prompts.push({ role, prompt: output.prompt });
        const { id, prompt } = output;
        const deliver = (value: unknown) => {
          if (prompt.kind !== 'display-passkey')
            this.#queue.push({ role, input: { type: 'answer', id, value } });
        };
        const value = answerPrompt(this.#sides[role].delegate, prompt);
        if (!isThenable(value)) return deliver(value);
        const answer: Promise<void> = Promise.resolve(value).then((v) => {
          this.pending.delete(answer);
          deliver(v);
        });
        this.pending.add(answer);
        return;
      }
      case 'completed':
        this.#outcome[role] = { status: 'completed', result: output.result };
        return;
      case 'failed':
        this.#outcome[role] = { status: 'failed', failure: output.failure };
        return;
      default:
        return;
    }
  }

  result(): LoopbackRun {
    return {
      initiator: this.#outcome.initiator,
      responder: this.#outcome.responder,
      transcript: this.#transcript,
      prompts: this.#prompts,
      outputs: this.#outputs,
    };
  }
}

/**
 * Pairs two sessions in memory: the initiator starts, and the run ends when
 * nothing more happens. Delegates may answer asynchronously.
 * @example
 * ```ts
 * const run = await pairInMemory(
 *   { options: { local: a, peer: b }, delegate: acceptAll },
 *   { options: { local: b, peer: a }, delegate: acceptAll },
 * );
 * run.initiator.status; // 'completed'
 * ```
 */
export async function pairInMemory(
  initiator: LoopbackSide,
  responder: LoopbackSide,
  options: LoopbackOptions = {},
): Promise<LoopbackRun> {
  const loopback = new Loopback(initiator, responder, options);
  loopback.pump();
  while (loopback.pending.size > 0) {
    await Promise.race(loopback.pending);
    loopback.pump();
  }
  return loopback.result();
}

/**
 * {@link pairInMemory} for delegates that answer synchronously (such as
 * `acceptAll` and `fixedAnswers`), without a single await: for benchmarks.
 * @throws Error when a delegate answers with a promise.
 * @example
 * ```ts
 * const run = pairInMemorySync({ options: a, delegate: acceptAll }, { options: b, delegate: acceptAll });
 * ```
 */
export function pairInMemorySync(
  initiator: LoopbackSide,
  responder: LoopbackSide,
  options: LoopbackOptions = {},
): LoopbackRun {
  const loopback = new Loopback(initiator, responder, options);
  loopback.pump();
  if (loopback.pending.size > 0)
    throw new Error('pairInMemorySync: a delegate answered asynchronously; use pairInMemory');
  return loopback.result();
}
