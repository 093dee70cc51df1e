/**
 * What `ble-smp pair` and `ble-smp serve` say they are doing as they do it, in
 * text mode: pairing (method and model once known), encrypting, keys
 * distributed, bonded. Nothing with --json: scripts get the events.
 * @module
 */
import type { Connection } from '../host/connection.js';
import type { Host } from '../host/host.js';
import type { SessionPhase } from '../smp/session.js';
import type { CommandIo } from './io.js';

/** Prints one progress line in text mode; nothing with --json. */
export type Say = (text: string) => void;

/**
 * A progress printer on `io`: a line on stdout in text mode, nothing with --json.
 * @example
 * ```ts
 * const say = sayer(processIo, settings.json);
 * say('connecting to c0:ff:ee:00:00:01 (random), giving up after 10 s');
 * ```
 */
export function sayer(io: CommandIo, json: boolean): Say {
  return json ? () => undefined : (text) => io.out(text);
}

const MODEL_TEXT: Readonly<Record<string, string>> = {
  'just-works': 'Just Works',
  'numeric-comparison': 'numeric comparison',
  passkey: 'passkey entry',
  oob: 'out of band',
};

/**
 * Tells the progress of the pairings on `connection`: the Pairing Request
 * sent or received, the method and model once the features are exchanged,
 * encryption with the new key, the keys distributed, the bond kept (and where).
 * @example
 * ```ts
 * const connection = await host.connect(address, type);
 * sayProgress(host, connection, say);
 * await connection.secure();
 * ```
 */
export function sayProgress(host: Host, connection: Connection, say: Say): void {
  const onPhase = (phase: SessionPhase) => {
    switch (phase) {
      case 'awaiting-response':
        return say('pairing: Pairing Request sent');
      case 'awaiting-accept':
        return say('pairing: Pairing Request received');
      case 'legacy':
      case 'secure-connections': {
        const association = host.security.association(connection.handle);
        const method = phase === 'legacy' ? 'LE legacy pairing' : 'LE Secure Connections';
        return say(
          `pairing: ${method}, ${association ? (MODEL_TEXT[association.model] ?? association.model) : 'model unknown'}`,
        );
      }
      case 'encrypting':
        return say('pairing: encrypting the link with the new key');
      case 'distributing':
        return say('pairing: link encrypted; distributing keys');
      default:
        return;
    }
  };
  connection.on('pairing', onPhase);
  // A pairing that started before we listened (the peer's Security Request came with the connection).
  const now = host.security.phase(connection.handle);
  if (now !== undefined) onPhase(now);
  connection.on('paired', (_result, bond) => {
    say('pairing: keys distributed');
    if (!bond) return;
    const path = (host.security.bonds as { readonly path?: unknown }).path;
    say(`bonded: the keys are kept${typeof path === 'string' ? ` in ${path}` : ''}`);
  });
}
