/**
 * The shape of a controller profile: what one real Bluetooth controller
 * answers at start-up (Read Local Version Information, Read Local Supported
 * Commands, LE Read Local Supported Features, the buffer and list sizes) and
 * how it departs from the spec, each value with the public source it came
 * from. A value no source showed is `null`, with a note saying so; nothing is
 * filled in by guess.
 * @module
 */

/** What kind of public material a value was read from. */
export type SourceKind =
  /** A btmon or hcidump trace of the controller's start-up. */
  | 'capture'
  /** `hciconfig -a` output (it prints the Read Local Version and Read Buffer Size answers). */
  | 'hciconfig'
  /** Kernel or host log lines (dmesg, a host stack's own log). */
  | 'log'
  /** The controller firmware's own source code or build configuration. */
  | 'source'
  /** A vendor datasheet, manual or the tool's own manual page. */
  | 'document'
  /** A maintainer's statement or a patch description about the controller's behaviour. */
  | 'report';

/** Where a value came from. */
export interface Source {
  /** The kind of material. */
  readonly kind: SourceKind;
  /** Address of the public page, issue, pull request or file (with commit where known). */
  readonly url: string;
  /** The line (or lines) of that material the value was read from, quoted. */
  readonly line: string;
  /** Anything a reader should know: the firmware build, the board, how sure the identification is. */
  readonly note?: string;
}

/** A value with its sources; `value: null` means no source showed it. */
export interface Known<T> {
  /** The value, or null when unknown. */
  readonly value: T | null;
  /** The sources the value was read from (empty only when value is null). */
  readonly sources: readonly Source[];
  /** Why the value is unknown, partial or inferred, when it is. */
  readonly note?: string;
}

/** Read Local Version Information (Core v5.4 Vol 4 Part E 7.4.1). */
export interface VersionInfo {
  /** HCI_Version (Assigned Numbers: 0x06 = 4.0, 0x07 = 4.1, 0x08 = 4.2, 0x09 = 5.0, 0x0a = 5.1, 0x0b = 5.2, 0x0c = 5.3). */
  readonly hciVersion: Known<number>;
  /** HCI_Subversion (called Revision by btmon). */
  readonly hciRevision: Known<number>;
  /** LMP_Version (or PAL version; same numbering as hciVersion). */
  readonly lmpVersion: Known<number>;
  /** LMP_Subversion. */
  readonly lmpSubversion: Known<number>;
  /** Company_Identifier (Bluetooth SIG Assigned Numbers). */
  readonly manufacturer: Known<number>;
}

/** A buffer pool as Read Buffer Size / LE Read Buffer Size report it. */
export interface BufferSize {
  /** Octets of ACL data per HCI packet. */
  readonly size: number;
  /** Packets the controller can hold; for the LE pool, 0 means shared with BR/EDR (Core v5.4 Vol 4 Part E 7.8.2). */
  readonly count: number;
}

/** The bitmap of HCI_Read_Local_Supported_Commands, possibly only in part. */
export interface SupportedCommands {
  /** The 64-octet bitmap of the commands the sources show (Core v5.4 Vol 4 Part E 6.27). */
  readonly bitmap: Uint8Array;
  /** False when the source showed only part of the list: a clear bit then means "not seen", not "unsupported". */
  readonly complete: boolean;
}

/**
 * How a virtual controller playing the profile reproduces a quirk. A quirk
 * without one is recorded, not played.
 */
export type QuirkPlay =
  /** After its Command Status (Success), the command is also answered by a Command Complete with these return parameters (status first). */
  | {
      readonly kind: 'extra-command-complete';
      readonly opcode: number;
      readonly returnParameters: Uint8Array;
    }
  /** These commands, answered by Command Complete in the spec, first get a Command Status (Success), then their Command Complete. */
  | { readonly kind: 'status-before-complete'; readonly opcodes: readonly number[] }
  /** No advertising report while scanning passively (active scanning reports as usual). */
  | { readonly kind: 'no-passive-scan-reports' }
  /** HCI Reset is answered only after this many milliseconds. */
  | { readonly kind: 'slow-reset'; readonly ms: number }
  /** After each HCI Reset's Command Complete, these events (whole HCI event packets, code first, usually vendor events 0xFF). */
  | { readonly kind: 'events-after-reset'; readonly events: readonly Uint8Array[] };

/** A way the controller departs from what the spec (and the virtual controller) does. */
export interface Quirk {
  /** Short stable identifier, for example 'broken-extended-scan'. */
  readonly id: string;
  /** What happens, in one or two sentences. */
  readonly description: string;
  /** Where it was reported. */
  readonly sources: readonly Source[];
  /** How the virtual controller reproduces it; absent when it is only recorded. */
  readonly play?: QuirkPlay;
}

/** One real controller, as data. */
export interface ControllerProfile {
  /** Lookup name, for example 'pi4'. */
  readonly name: string;
  /** Human title, for example 'Raspberry Pi 4 / CM4 built-in'. */
  readonly title: string;
  /** Chip and firmware it stands for. */
  readonly chip: string;
  /** Host transport the controller is reached over. */
  readonly transport: 'uart' | 'usb' | 'pcie-usb';
  /** Read Local Version Information. */
  readonly version: VersionInfo;
  /** Read Local Supported Commands. */
  readonly supportedCommands: Known<SupportedCommands>;
  /** LE Read Local Supported Features, 8 octets (Core v5.4 Vol 6 Part B 4.6). */
  readonly leFeatures: Known<Uint8Array>;
  /** LE Read Buffer Size [v1] (Core v5.4 Vol 4 Part E 7.8.2). */
  readonly leBuffers: Known<BufferSize>;
  /** Read Buffer Size, the ACL part (Core v5.4 Vol 4 Part E 7.4.5); null size for LE-only controllers. */
  readonly aclBuffers: Known<BufferSize>;
  /** LE Read Filter Accept List Size (formerly White List) (Core v5.4 Vol 4 Part E 7.8.14). */
  readonly acceptListSize: Known<number>;
  /** LE Read Resolving List Size (Core v5.4 Vol 4 Part E 7.8.41). */
  readonly resolvingListSize: Known<number>;
  /** Simultaneous LE connections the controller allows. */
  readonly maxLeConnections: Known<number>;
  /** LE Read Supported States, 8 octets little-endian (Core v5.4 Vol 4 Part E 7.8.27). */
  readonly leStates: Known<Uint8Array>;
  /** Departures from the spec, each with its source. */
  readonly quirks: readonly Quirk[];
  /** The saved excerpt of the sources, relative to the repository root, which the tests re-read. */
  readonly fixture: string;
}

/**
 * Shorthand for an unknown value with the reason it is unknown; it fits a
 * `Known<T>` of any T.
 * @example
 * ```ts
 * const size: Known<number> = unknown('no capture of LE Read Resolving List Size was found');
 * size.value; // null
 * ```
 */
export function unknown(note: string): Known<never> {
  return Object.freeze({ value: null, sources: Object.freeze([]), note });
}

/**
 * Shorthand for a known value with its sources (and an optional note).
 * @throws RangeError when no source is given.
 * @example
 * ```ts
 * const size = known(8, [{ kind: 'source', url: 'https://example.org/Kconfig', line: 'default 8' }]);
 * size.value; // 8
 * ```
 */
export function known<T>(value: T, sources: readonly Source[], note?: string): Known<T> {
  if (sources.length === 0) throw new RangeError('a known value needs at least one source');
  const frozen = Object.freeze(sources.map((s) => Object.freeze({ ...s })));
  return Object.freeze(note === undefined ? { value, sources: frozen } : { value, sources: frozen, note });
}
