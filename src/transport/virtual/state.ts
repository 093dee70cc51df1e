/**
 * The state of one virtual controller, and how it speaks to its host: every
 * part of the controller (commands, advertising and connections, ACL,
 * encryption) works on this object; `VirtualController` is the transport a
 * host sees in front of it. Internal to src/transport/virtual.
 * @module
 */
import type {
  AdvertisingParameters,
  CreateConnectionParameters,
  ScanParameters,
} from '../../hci/commands.js';
import { encodeEvent, type HciEvent, returnParametersKind } from '../../hci/events.js';
import type { HciPacket } from '../../hci/h4.js';
import { NO_LISTENERS } from '../listener-list.js';
import type { PacketListener } from '../transport.js';
import { later } from './delivery.js';
import { HandlePool } from './handles.js';
import type { ControllerProfile } from './profiles/profile.js';
import { type QuirkPlays, quirkPlays, rawCommandComplete } from './quirks.js';

/** One end of a link: which controller, under which handle. */
export interface End {
  readonly state: ControllerState;
  readonly handle: number;
  readonly peerAddressType: number;
  readonly peerAddress: Uint8Array;
}

/** A connection between two controllers, shared by both. */
export interface Link {
  readonly central: End;
  readonly peripheral: End;
  alive: boolean;
  encrypted: boolean;
  /** The LTK in use once encrypted; a secret, never logged or exposed. */
  key: Uint8Array | undefined;
  /** An encryption start (or refresh) waiting for the Peripheral host's LTK reply. */
  pending: { readonly ltk: Uint8Array } | undefined;
}

/**
 * What a controller needs of the air it is on: who is scanning, who
 * advertises at an address, who is trying to connect to one. `VirtualAir`
 * keeps these indexes, so that no operation scans every controller.
 */
export interface AirIndex {
  /** The controllers scanning now. */
  scanners(): Iterable<ControllerState>;
  /** The controllers advertising now. */
  advertisers(): Iterable<ControllerState>;
  /** The controllers advertising at this address now (own address type 0 or 1, wire order). */
  advertisersAt(type: number, address: Uint8Array): Iterable<ControllerState>;
  /** The controllers initiating a connection to this address now. */
  initiatorsFor(type: number, address: Uint8Array): Iterable<ControllerState>;
  /** Re-indexes `state` after its advertising, scanning or initiating changed. */
  update(state: ControllerState): void;
  /** Takes a closed controller off the air. */
  leave(state: ControllerState): void;
}

/** Default event masks (7.3.1, 7.8.1), wire order. */
export const DEFAULT_EVENT_MASK = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00, 0x00);
export const DEFAULT_LE_EVENT_MASK = Uint8Array.of(0x1f, 0, 0, 0, 0, 0, 0, 0);

/** Default advertising parameters (7.8.5). */
export const DEFAULT_ADVERTISING: AdvertisingParameters = Object.freeze({
  advertisingIntervalMin: 0x0800,
  advertisingIntervalMax: 0x0800,
  advertisingType: 0x00,
  ownAddressType: 0x00,
  peerAddressType: 0x00,
  peerAddress: new Uint8Array(6),
  advertisingChannelMap: 0x07,
  advertisingFilterPolicy: 0x00,
});

/** Default scan parameters (7.8.10). */
export const DEFAULT_SCAN: ScanParameters = Object.freeze({
  scanType: 0x00,
  scanInterval: 0x0010,
  scanWindow: 0x0010,
  ownAddressType: 0x00,
  scanningFilterPolicy: 0x00,
});

/** No octets: the advertising and scan response data until the host sets some. */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** The copies {@link sharedCopy} hands out, by content; the oldest is dropped past 64. */
const shared = new Map<string, Uint8Array>();

/**
 * A copy of `octets` that every controller setting the same octets shares
 * (event masks, advertising data): thousands of controllers on one air hold
 * one array instead of one each. The state never changes these in place.
 * @example
 * ```ts
 * state.eventMask = sharedCopy(command.eventMask);
 * ```
 */
export function sharedCopy(octets: Uint8Array): Uint8Array {
  if (octets.length === 0) return EMPTY;
  const key = String.fromCharCode(...octets);
  let copy = shared.get(key);
  if (!copy) {
    copy = new Uint8Array(octets);
    if (shared.size >= 64) shared.delete(shared.keys().next().value!);
    shared.set(key, copy);
  }
  return copy;
}

/**
 * Everything one virtual controller holds.
 * @example
 * ```ts
 * const state = new ControllerState(air, address, 27, 4, 0x0040);
 * state.event({ name: 'hardware-error', hardwareCode: 1 });
 * ```
 */
export class ControllerState {
  /** The host's listeners (see listener-list.ts: replaced, never changed in place). */
  packetListeners: readonly PacketListener[] = NO_LISTENERS;
  open = true;
  /** True from a command's arrival until its Command Complete or Status reaches the host. */
  commandOutstanding = false;

  eventMask: Uint8Array = DEFAULT_EVENT_MASK;
  leEventMask: Uint8Array = DEFAULT_LE_EVENT_MASK;
  randomAddress: Uint8Array | undefined;
  advertisingParameters: AdvertisingParameters = DEFAULT_ADVERTISING;
  advertisingData: Uint8Array = EMPTY;
  scanResponseData: Uint8Array = EMPTY;
  advertising = false;
  scanParameters: ScanParameters = DEFAULT_SCAN;
  scanning = false;
  filterDuplicates = false;
  /** Reports already sent while filtering duplicates; made on first use. */
  reported: Set<string> | undefined;
  initiating: CreateConnectionParameters | undefined;
  readonly links = new Map<number, Link>();
  readonly handles: HandlePool;
  buffersInUse = 0;
  /** ACL packets of each link not yet delivered to the peer; made on first use. */
  inFlight: Map<Link, number> | undefined;
  /** Where the air indexes this controller now (its keys), kept by the air. */
  indexed: unknown;

  constructor(
    readonly air: AirIndex,
    /** The public device address, 6 octets in wire order. */
    readonly address: Uint8Array,
    readonly aclBufferSize: number,
    readonly aclBufferCount: number,
    firstHandle: number,
    /** The real controller this one plays, if any. */
    readonly profile?: ControllerProfile,
  ) {
    this.handles = new HandlePool(firstHandle);
    this.quirks = quirkPlays(profile);
  }

  /** The quirks of the profile played, as the controller consults them. */
  readonly quirks: QuirkPlays;

  /**
   * Delivers a packet to the host on a later turn of the event loop, in order;
   * `before` runs just ahead of the listeners. Like a real controller's I/O,
   * delivery is a macrotask (see delivery.ts).
   */
  deliver(packet: HciPacket, before?: () => void): void {
    later(() => {
      if (!this.open) return;
      before?.();
      for (const listener of this.packetListeners) listener(packet);
    });
  }

  event(event: HciEvent, before?: () => void): void {
    this.deliver({ type: 'event', data: encodeEvent(event) }, before);
  }

  hardwareError(hardwareCode: number): void {
    this.event({ name: 'hardware-error', hardwareCode });
  }

  /** Command Complete; the next command is welcome once it reaches the host. */
  complete(event: Extract<HciEvent, { name: 'command-complete' }>): void {
    const rp = event.returnParameters;
    const succeeded = rp.kind === 'raw' ? rp.data[0] === 0 : rp.status === 0;
    if (succeeded && this.quirks.statusBeforeComplete.has(event.opcode)) {
      // A quirk: a Command Status (Success) first, the Command Complete after it.
      this.event({ name: 'command-status', status: 0, numHciCommandPackets: 0, opcode: event.opcode });
    }
    this.event(event, () => {
      this.commandOutstanding = false;
    });
  }

  /** Command Complete with only a status (or the raw status of an unknown opcode). */
  completeStatus(opcode: number, status: number): void {
    const returnParameters =
      returnParametersKind(opcode) === 'raw'
        ? ({ kind: 'raw', data: Uint8Array.of(status) } as const)
        : ({ kind: 'status', status } as const);
    this.complete({ name: 'command-complete', numHciCommandPackets: 1, opcode, returnParameters });
  }

  /** Command Complete with Status and Connection_Handle (7.8.25, 7.8.26). */
  completeHandle(opcode: number, status: number, handle: number): void {
    this.complete({
      name: 'command-complete',
      numHciCommandPackets: 1,
      opcode,
      returnParameters: { kind: 'connection-handle', status, handle },
    });
  }

  commandStatus(opcode: number, status: number): void {
    this.event({ name: 'command-status', status, numHciCommandPackets: 1, opcode }, () => {
      this.commandOutstanding = false;
    });
    const extra = status === 0 ? this.quirks.extraComplete.get(opcode) : undefined;
    // A quirk: the same command answered a second time, by a Command Complete.
    if (extra) this.deliver({ type: 'event', data: rawCommandComplete(opcode, extra) });
  }

  /** The address and type an own-address-type parameter designates; undefined for an unset random address. */
  ownAddress(ownAddressType: number): { readonly type: number; readonly address: Uint8Array } | undefined {
    // 0x02/0x03 (RPA with fallback) fall back to public/random: there is no resolving list here.
    if ((ownAddressType & 1) === 0) return { type: 0x00, address: this.address };
    return this.randomAddress && { type: 0x01, address: this.randomAddress };
  }
}
