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

/**
 * Pairs two sessions in memory: the initiator starts, and the run ends when
 * nothing more happens.
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
  const sides = {
    initiator: {
      session: new PairingSession({ ...initiator.options, role: 'initiator' }),
      delegate: initiator.delegate,
    },
    responder: {
      session: new PairingSession({ ...responder.options, role: 'responder' }),
      delegate: responder.delegate,
    },
  };
  const other = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator');
  const transcript: LoopbackRun['transcript'][number][] = [];
  const prompts: LoopbackRun['prompts'][number][] = [];
  const outputs: Record<Role, SessionOutput[]> = { initiator: [], responder: [] };
  const outcome: Record<Role, LoopbackOutcome> = {
    initiator: { status: 'unfinished' },
    responder: { status: 'unfinished' },
  };
  const queue: { role: Role; input: SessionInput }[] = [{ role: 'initiator', input: { type: 'start' } }];
  let providedKey: Uint8Array | null = null;
  let steps = 0;
  // Delegates answer concurrently, as people do: the run waits for them only when nothing else can happen.
  const answering = new Set<Promise<void>>();

  for (;;) {
    if (queue.length === 0) {
      if (answering.size === 0) break;
      await Promise.race(answering);
      continue;
    }
    if (steps++ >= (options.maxSteps ?? 10_000)) break;
    const { role, input } = queue.shift()!;
    const side = sides[role];
    for (const output of side.session.handle(input)) {
      outputs[role].push(output);
      switch (output.type) {
        case 'send': {
          transcript.push({ from: role, pdu: output.pdu, data: output.data });
          const data = options.tamper ? options.tamper(role, output.data) : output.data;
          if (data) queue.push({ role: other(role), input: { type: 'pdu', data } });
          queue.push({ role, input: { type: 'acknowledged' } });
          break;
        }
        case 'provide-key':
          providedKey = output.key;
          break;
        case 'start-encryption': {
          const ok = providedKey !== null && equalBytes(providedKey, output.key);
          for (const r of ['initiator', 'responder'] as const) {
            queue.push({ role: r, input: ok ? { type: 'encrypted' } : { type: 'encryption-failed' } });
          }
          break;
        }
        case 'prompt': {
          prompts.push({ role, prompt: output.prompt });
          const { id, prompt } = output;
          const answer: Promise<void> = Promise.resolve(answerPrompt(side.delegate, prompt)).then((value) => {
            answering.delete(answer);
            if (prompt.kind !== 'display-passkey') queue.push({ role, input: { type: 'answer', id, value } });
          });
          answering.add(answer);
          break;
        }
        case 'completed':
          outcome[role] = { status: 'completed', result: output.result };
          break;
        case 'failed':
          outcome[role] = { status: 'failed', failure: output.failure };
          break;
        default:
          break;
      }
    }
  }
  return { initiator: outcome.initiator, responder: outcome.responder, transcript, prompts, outputs };
}
