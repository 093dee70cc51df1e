/**
 * The events `ble-smp pair` and `ble-smp serve` print: `paired`, `encrypted`
 * and `failed`, as one JSON object per line (--json) or one human line. Keys
 * are printed only when asked (--show-keys).
 * @module
 */
import { toHex } from '../crypto/bytes.js';
import type { Bond } from '../host/bond-store.js';
import { EncryptionError, PairingError } from '../host/security-errors.js';
import type { SecurityOutcome } from '../host/security-types.js';
import { REASON_TEXT, Reason } from '../smp/constants.js';
import { type DeviceAddress, formatAddress } from '../smp/delegate.js';
import type { DistributedKeys, PairingResult } from '../smp/session-types.js';
import type { CommandIo } from './io.js';

/** Prints events: one JSON object per line, or one human line. */
export type Printer = (event: Record<string, unknown>, human: string) => void;

/** A printer on `io`. */
export function printer(io: CommandIo, json: boolean): Printer {
  return (event, human) => io.out(json ? JSON.stringify(event) : human);
}

const addressType = (type: 0 | 1) => (type === 0 ? 'public' : 'random');

/** A device address for printing: `aa:bb:cc:dd:ee:ff` and public or random. */
export function describeAddress(address: DeviceAddress): { address: string; type: 'public' | 'random' } {
  return { address: formatAddress(address.address), type: addressType(address.type) };
}

const KEY_NAMES = ['ltk', 'ediv', 'rand', 'irk', 'identityAddress', 'csrk'] as const;

/** The names of the keys one side distributed (never their values), in the order of key distribution. */
export function keyNames(keys: DistributedKeys): string[] {
  return KEY_NAMES.filter((k) => keys[k] !== undefined);
}

const bondKey = (ltk: Uint8Array, ediv: number, rand: Uint8Array) => ({
  ltk: toHex(ltk),
  ediv,
  rand: toHex(rand),
});

/**
 * Every key of a pairing, in wire-order hex, under the names `bonds show
 * --show-keys` gives them: `ltk` (LE Secure Connections: the LTK both sides
 * derived, never distributed), `stk` (LE legacy: the key the pairing encrypted
 * the link with), `peerLtk` and `localLtk` (LE legacy: each side's distributed
 * LTK with its EDIV and Rand), `peerIrk`, `localIrk`, `peerCsrk`, `localCsrk`.
 * @example
 * ```ts
 * console.log(JSON.stringify(pairingKeysJson(result))); // {"ltk":"…","peerIrk":"…","localIrk":"…"}
 * ```
 */
export function pairingKeysJson(result: PairingResult): Record<string, unknown> {
  const peer = result.peerKeys;
  const local = result.localKeys;
  return {
    ...(result.secureConnections
      ? { ltk: toHex(result.encryptionKey) }
      : { stk: toHex(result.encryptionKey) }),
    ...(peer.ltk && peer.ediv !== undefined && peer.rand
      ? { peerLtk: bondKey(peer.ltk, peer.ediv, peer.rand) }
      : {}),
    ...(local.ltk && local.ediv !== undefined && local.rand
      ? { localLtk: bondKey(local.ltk, local.ediv, local.rand) }
      : {}),
    ...(peer.irk ? { peerIrk: toHex(peer.irk) } : {}),
    ...(local.irk ? { localIrk: toHex(local.irk) } : {}),
    ...(peer.csrk ? { peerCsrk: { csrk: toHex(peer.csrk), counter: 0 } } : {}),
    ...(local.csrk ? { localCsrk: { csrk: toHex(local.csrk), counter: 0 } } : {}),
  };
}

/** The key lines of a pairing in text mode (--show-keys), as `bonds show --show-keys` prints a bond's. */
function keyLines(result: PairingResult): string[] {
  const keys = pairingKeysJson(result) as Record<
    string,
    string | { ltk?: string; ediv?: number; rand?: string; csrk?: string }
  >;
  const lines: string[] = [];
  if (typeof keys.ltk === 'string') lines.push(`  LTK ${keys.ltk} (derived by both sides)`);
  if (typeof keys.stk === 'string') lines.push(`  STK ${keys.stk}`);
  for (const [name, label] of [
    ['peerLtk', 'peer LTK'],
    ['localLtk', 'local LTK'],
  ] as const) {
    const key = keys[name];
    if (typeof key === 'object') lines.push(`  ${label} ${key.ltk} EDIV ${key.ediv} Rand ${key.rand}`);
  }
  if (typeof keys.peerIrk === 'string') lines.push(`  peer IRK ${keys.peerIrk}`);
  if (typeof keys.localIrk === 'string') lines.push(`  local IRK ${keys.localIrk}`);
  for (const [name, label] of [
    ['peerCsrk', 'peer CSRK'],
    ['localCsrk', 'local CSRK'],
  ] as const) {
    const key = keys[name];
    if (typeof key === 'object') lines.push(`  ${label} ${key.csrk} counter 0`);
  }
  return lines;
}

/**
 * Prints a completed pairing: how it went and the names of the keys each side
 * distributed; the keys themselves only with `showKeys` (--show-keys).
 * @example
 * ```ts
 * printPaired(printer(processIo, true), result, false); // {"type":"paired","method":"sc",…,"received":["irk","identityAddress"]}
 * ```
 */
export function printPaired(print: Printer, result: PairingResult, showKeys = false): void {
  const identity = result.peerKeys.identityAddress;
  print(
    {
      type: 'paired',
      method: result.method,
      model: result.model,
      keySize: result.keySize,
      authenticated: result.authenticated,
      bonded: result.bonded,
      distributed: keyNames(result.localKeys),
      received: keyNames(result.peerKeys),
      ...(identity ? { peerIdentity: describeAddress(identity) } : {}),
      ...(showKeys ? pairingKeysJson(result) : {}),
    },
    [
      `paired: ${result.secureConnections ? 'LE Secure Connections' : 'LE legacy'} ${result.model}, ` +
        `key size ${result.keySize}, ${result.authenticated ? 'authenticated' : 'unauthenticated'}, ` +
        `${result.bonded ? 'bonded' : 'not bonded'}; distributed: ${keyNames(result.localKeys).join(' ') || 'none'}; ` +
        `received: ${keyNames(result.peerKeys).join(' ') || 'none'}`,
      ...(showKeys ? keyLines(result) : []),
    ].join('\n'),
  );
}

const REASON_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Reason).map(([name, code]) => [
    code,
    name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
  ]),
);

/** The kebab-case name of an SMP reason code, as `numeric-comparison-failed`. */
export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? 'reserved';
}

/** Prints a link encrypted with a kept bond (keys are not printed: they are in the bond store). */
export function printEncrypted(print: Printer, bond: Bond): void {
  const peer = describeAddress(bond.peer);
  print(
    {
      type: 'encrypted',
      bonded: true,
      method: bond.secureConnections ? 'sc' : 'legacy',
      keySize: bond.keySize,
      authenticated: bond.authenticated,
      identity: peer.address,
      identityType: peer.type,
      bondedAt: new Date(bond.createdAt).toISOString(),
    },
    `encrypted with the bond of ${peer.address} (${peer.type}) made ${new Date(bond.createdAt).toISOString()}: ` +
      `${bond.secureConnections ? 'LE Secure Connections' : 'LE legacy'}, key size ${bond.keySize}, ` +
      `${bond.authenticated ? 'authenticated' : 'unauthenticated'}`,
  );
}

/** Prints how a link was secured: `paired` (its keys with `showKeys`) or `encrypted`. */
export function printSecured(print: Printer, outcome: SecurityOutcome, showKeys = false): void {
  if (outcome.kind === 'paired') printPaired(print, outcome.result, showKeys);
  else printEncrypted(print, outcome.bond);
}

/**
 * Prints a failed pairing or encryption; rethrows anything else (the
 * command's caller reports it).
 */
export function printFailed(print: Printer, error: unknown): void {
  if (error instanceof EncryptionError) {
    print(
      {
        type: 'failed',
        stage: 'encryption',
        code: error.code,
        ...(error.status !== undefined ? { status: error.status } : {}),
        message: error.message,
      },
      `failed: encryption with the bond: ${error.message}` +
        (error.code === 'key-missing' ? ' (the peer lost its bond: --force-pair pairs again)' : ''),
    );
    return;
  }
  if (!(error instanceof PairingError)) throw error;
  const code = `0x${error.reason.toString(16).padStart(2, '0')}`;
  const text = REASON_TEXT[error.reason] ?? reasonName(error.reason);
  print(
    {
      type: 'failed',
      stage: 'pairing',
      code: reasonName(error.reason),
      reason: error.reason,
      reasonName: reasonName(error.reason),
      by: error.by,
      message: error.message,
    },
    // The peer's reason is said once: the message of a peer's failure only repeats it.
    error.by === 'peer'
      ? `failed: the peer failed the pairing with ${code} ${text}`
      : `failed: ${error.message} (${code} ${text.split(':')[0]})`,
  );
}

/**
 * Prints a failure before any pairing: the transport, the controller, the
 * connection, the trace or OOB file. With --json a `failed` event on stdout
 * (`stage`, `code`, `message`), always a line on stderr.
 * @example
 * ```ts
 * printStageFailure(io, true, 'pair', { stage: 'connect', code: 'timeout', message: 'could not connect within 10000 ms' });
 * ```
 */
export function printStageFailure(
  io: CommandIo,
  json: boolean,
  command: string,
  failure: {
    readonly stage: string;
    readonly code: string;
    readonly message: string;
    readonly status?: number;
  },
): void {
  if (json) io.out(JSON.stringify({ type: 'failed', ...failure }));
  io.err(`ble-smp ${command}: ${failure.message}`);
}
