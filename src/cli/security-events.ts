/**
 * The events `ble-smp pair` and `ble-smp serve` print: `paired`, `encrypted`
 * and `failed`, as one JSON object per line (--json) or one human line.
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

/** Keys as JSON: byte strings in wire-order hex. */
export function keysJson(keys: DistributedKeys): Record<string, unknown> {
  return {
    ...(keys.ltk ? { ltk: toHex(keys.ltk) } : {}),
    ...(keys.ediv !== undefined ? { ediv: keys.ediv } : {}),
    ...(keys.rand ? { rand: toHex(keys.rand) } : {}),
    ...(keys.irk ? { irk: toHex(keys.irk) } : {}),
    ...(keys.identityAddress ? { identityAddress: describeAddress(keys.identityAddress) } : {}),
    ...(keys.csrk ? { csrk: toHex(keys.csrk) } : {}),
  };
}

const keyNames = (keys: DistributedKeys) =>
  (['ltk', 'ediv', 'rand', 'irk', 'identityAddress', 'csrk'] as const)
    .filter((k) => keys[k] !== undefined)
    .join(' ') || 'none';

/** Prints a completed pairing. */
export function printPaired(print: Printer, result: PairingResult): void {
  print(
    {
      type: 'paired',
      method: result.secureConnections ? 'sc' : 'legacy',
      model: result.model,
      keySize: result.keySize,
      authenticated: result.authenticated,
      bonded: result.bonded,
      distributed: keysJson(result.localKeys),
      received: keysJson(result.peerKeys),
    },
    `paired: ${result.secureConnections ? 'LE Secure Connections' : 'LE legacy'} ${result.model}, ` +
      `key size ${result.keySize}, ${result.authenticated ? 'authenticated' : 'unauthenticated'}, ` +
      `${result.bonded ? 'bonded' : 'not bonded'}; distributed: ${keyNames(result.localKeys)}; ` +
      `received: ${keyNames(result.peerKeys)}`,
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

/** Prints how a link was secured: `paired` or `encrypted`. */
export function printSecured(print: Printer, outcome: SecurityOutcome): void {
  if (outcome.kind === 'paired') printPaired(print, outcome.result);
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
  print(
    {
      type: 'failed',
      reason: error.reason,
      reasonName: reasonName(error.reason),
      by: error.by,
      message: error.message,
    },
    `failed: 0x${error.reason.toString(16).padStart(2, '0')} ${REASON_TEXT[error.reason] ?? reasonName(error.reason)} ` +
      `(${error.by === 'local' ? 'we failed it' : 'the peer failed it'}): ${error.message}`,
  );
}
