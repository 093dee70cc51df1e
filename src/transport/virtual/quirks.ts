/**
 * The quirks of the profile a virtual controller plays (profiles/profile.ts,
 * `QuirkPlay`), looked up once per controller. Internal to src/transport/virtual.
 * @module
 */
import { HciEventCode } from '../../hci/constants.js';
import type { ControllerProfile, QuirkPlay } from './profiles/profile.js';

/** What a controller's quirks change, ready to consult on each command. */
export interface QuirkPlays {
  /** Opcodes answered by Command Status that also get a Command Complete: its return parameters. */
  readonly extraComplete: ReadonlyMap<number, Uint8Array>;
  /** Opcodes answered by Command Complete that get a Command Status (Success) first. */
  readonly statusBeforeComplete: ReadonlySet<number>;
  /** No advertising report while scanning passively. */
  readonly noPassiveScanReports: boolean;
  /** Milliseconds before HCI Reset is answered (0: at once). */
  readonly resetMs: number;
  /** Event packets sent after each HCI Reset's Command Complete. */
  readonly eventsAfterReset: readonly Uint8Array[];
}

const NONE: QuirkPlays = Object.freeze({
  extraComplete: new Map<number, Uint8Array>(),
  statusBeforeComplete: new Set<number>(),
  noPassiveScanReports: false,
  resetMs: 0,
  eventsAfterReset: Object.freeze([]),
});

/**
 * The plays of `profile`'s quirks (none without a profile).
 * @example
 * ```ts
 * quirkPlays(pi4).extraComplete.has(0x2016); // true
 * ```
 */
export function quirkPlays(profile: ControllerProfile | undefined): QuirkPlays {
  const plays = (profile?.quirks ?? []).flatMap((q) => (q.play ? [q.play] : []));
  if (plays.length === 0) return NONE;
  const of = <K extends QuirkPlay['kind']>(kind: K) =>
    plays.filter((p): p is Extract<QuirkPlay, { kind: K }> => p.kind === kind);
  return {
    extraComplete: new Map(of('extra-command-complete').map((p) => [p.opcode, p.returnParameters])),
    statusBeforeComplete: new Set(of('status-before-complete').flatMap((p) => p.opcodes)),
    noPassiveScanReports: of('no-passive-scan-reports').length > 0,
    resetMs: Math.max(0, ...of('slow-reset').map((p) => p.ms)),
    eventsAfterReset: of('events-after-reset').flatMap((p) => p.events),
  };
}

/**
 * A Command Complete event packet with return parameters as given, whatever
 * the opcode's spec layout (a quirk's answer need not follow it).
 * @example
 * ```ts
 * rawCommandComplete(0x2016, new Uint8Array(11)); // 0e 0e 01 16 20 00 ...
 * ```
 */
export function rawCommandComplete(opcode: number, returnParameters: Uint8Array): Uint8Array {
  const packet = new Uint8Array(5 + returnParameters.length);
  packet[0] = HciEventCode.CommandComplete;
  packet[1] = 3 + returnParameters.length;
  packet[2] = 1;
  packet[3] = opcode & 0xff;
  packet[4] = opcode >> 8;
  packet.set(returnParameters, 5);
  return packet;
}
