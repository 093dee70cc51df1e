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

/** Asks a person one question; resolves to the line typed. */
export type Ask = (question: string) => Promise<string>;

/** Extras for tests: who answers questions when no answer is scripted. */
export interface PromptOptions {
  /** Asks a person (default: the terminal when stdin is a TTY, else nobody: questions are refused). */
  readonly ask?: Ask;
}

/** The terminal asker when stdin is a TTY (questions go to stderr), else undefined. */
export function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return (question) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.question(question, (answer) => {
        rl.close();
        resolve(answer);
      });
    });
}

const pad6 = (value: number) => String(value).padStart(6, '0');

/**
 * The delegate: scripted answers first, then the asker, else a refusal. Every
 * prompt is printed (`prompt` events). Pairing attempts and Just Works are accepted.
 */
export function cliDelegate(
  settings: SecuritySettings,
  print: Printer,
  ask: Ask | undefined,
): PairingDelegate {
  return {
    acceptPairing: () => true,
    confirmJustWorks: () => true,
    confirmNumber: async (_peer: DeviceAddress, value: number) => {
      print({ type: 'prompt', kind: 'confirm-number', value }, `prompt: confirm the number ${pad6(value)}`);
      if (settings.confirm !== undefined) return settings.confirm;
      if (!ask) return false;
      const answer = await ask(`Does the peer show ${pad6(value)}? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    },
    displayPasskey: (_peer: DeviceAddress, passkey: number) => {
      print(
        { type: 'prompt', kind: 'display-passkey', value: passkey },
        `prompt: type ${pad6(passkey)} on the peer`,
      );
    },
    enterPasskey: async () => {
      print({ type: 'prompt', kind: 'enter-passkey' }, 'prompt: enter the passkey the peer shows');
      if (settings.passkey !== undefined) return settings.passkey;
      if (!ask) return null;
      const answer = (await ask('Passkey shown on the peer (empty to cancel): ')).trim();
      return /^\d{1,6}$/.test(answer) ? Number(answer) : null;
    },
    oobData: () => null,
  };
}
