/**
 * The delegate of `ble-smp pair` and `ble-smp serve`: scripted answers
 * (--passkey, --confirm), else a person on the terminal, else a refusal; every
 * prompt printed.
 * @module
 */
import { createInterface } from 'node:readline';
import type { DeviceAddress, PairingDelegate } from '../smp/delegate.js';
import type { SecuritySettings } from './commands/security-options.js';
import type { Printer } from './security-events.js';

/** Asks a person one question; resolves to the line typed, rejects when `signal` aborts first. */
export type Ask = (question: string, signal?: AbortSignal) => Promise<string>;

/** Extras for tests: who answers questions when no answer is scripted. */
export interface PromptOptions {
  /** Asks a person (default: the terminal when stdin is a TTY, else nobody: questions are refused). */
  readonly ask?: Ask;
}

/**
 * The terminal asker when stdin is a TTY (questions go to stderr), else
 * undefined. A ^C at the question is SIGINT, as anywhere else (readline would
 * otherwise swallow it); an aborted question closes the line and rejects.
 * @example
 * ```ts
 * const ask = terminalAsk();
 * const answer = ask ? await ask('Does the peer show 123456? [y/N] ') : 'n';
 * ```
 */
export function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return (question, signal) =>
    new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const onAbort = () => {
        rl.close();
        process.stderr.write('\n');
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
      rl.question(question, (answer) => {
        signal?.removeEventListener('abort', onAbort);
        rl.close();
        resolve(answer);
      });
    });
}

const abortError = (signal: AbortSignal | undefined): Error =>
  signal?.reason instanceof Error ? signal.reason : new Error('the question was given up');

const pad6 = (value: number) => String(value).padStart(6, '0');

/** Where the delegate tells what it does: `say` prints a progress line in text mode only. */
export interface DelegateOutput {
  readonly print: Printer;
  readonly say: (text: string) => void;
  /** Text mode: a question asked shows the number itself, so no `prompt:` line is printed before it. */
  readonly json: boolean;
}

/**
 * The delegate: scripted answers first, then the asker, else a refusal that
 * says no one could be asked and which option to pass. Every prompt is printed
 * once (`prompt` events; in text mode a question asked is its own line).
 * Pairing attempts and Just Works are accepted. `signal` gives up a question
 * waiting for an answer.
 * @example
 * ```ts
 * const delegate = cliDelegate(settings, { print, say, json: false }, terminalAsk(), interrupt.signal);
 * ```
 */
export function cliDelegate(
  settings: SecuritySettings,
  output: DelegateOutput,
  ask: Ask | undefined,
  signal?: AbortSignal,
): PairingDelegate {
  const { print, say } = output;
  const asking = (scripted: unknown) => scripted === undefined && ask !== undefined;
  return {
    acceptPairing: () => true,
    confirmJustWorks: () => true,
    confirmNumber: async (_peer: DeviceAddress, value: number) => {
      if (output.json || !asking(settings.confirm)) {
        print({ type: 'prompt', kind: 'confirm-number', value }, `prompt: confirm the number ${pad6(value)}`);
      }
      let yes: boolean;
      if (settings.confirm !== undefined) yes = settings.confirm;
      else if (!ask) {
        throw new Error(
          `no one could be asked whether the peer shows ${pad6(value)} (stdin is not a terminal): ` +
            'pass --confirm yes or --confirm no',
        );
      } else yes = /^y(es)?$/i.test((await ask(`Does the peer show ${pad6(value)}? [y/N] `, signal)).trim());
      if (yes) say("waiting for the peer's user to confirm the number");
      return yes;
    },
    displayPasskey: (_peer: DeviceAddress, passkey: number) => {
      print(
        { type: 'prompt', kind: 'display-passkey', value: passkey },
        `prompt: type ${pad6(passkey)} on the peer`,
      );
      say("waiting for the peer's user to type the passkey");
    },
    enterPasskey: async () => {
      if (output.json || !asking(settings.passkey)) {
        print({ type: 'prompt', kind: 'enter-passkey' }, 'prompt: enter the passkey the peer shows');
      }
      if (settings.passkey !== undefined) return settings.passkey;
      if (!ask) {
        throw new Error(
          'no one could be asked for the passkey the peer shows (stdin is not a terminal): pass --passkey N',
        );
      }
      const answer = (await ask('Passkey shown on the peer (empty to cancel): ', signal)).trim();
      return /^\d{1,6}$/.test(answer) ? Number(answer) : null;
    },
    oobData: () => null,
  };
}
