/**
 * A strict virtual Bluetooth LE controller behind the {@link Transport}
 * interface: it parses the host's HCI commands and ACL packets with the
 * library's own codecs (src/hci) and answers as a Controller would (Core Vol 4
 * Part E), with the link-layer behaviour of Vol 6 simplified to what a host
 * can observe: advertising reports, connection set-up, encryption start and
 * refresh, ACL relay with flow control, termination.
 *
 * This file is the transport a host sees; the controller's parts live beside
 * it: command-handler.ts (the commands), advertising.ts (advertising,
 * scanning, connection set-up), links.ts (connections and handles), acl.ts
 * (ACL data and flow control), encryption.ts, and state.ts (what they share).
 * Every packet to the host is delivered asynchronously and in order
 * (delivery.ts), so a host never re-enters itself from inside `send`.
 * Controllers meet on a shared medium, {@link VirtualMedium}, which
 * `VirtualAir` (./air.ts) implements.
 * @module
 */

import { decodeCommand } from '../../hci/commands.js';
import { HciErrorCode } from '../../hci/constants.js';
import type { HciPacket } from '../../hci/h4.js';
import { formatAddress } from '../../smp/delegate.js';
import { NO_LISTENERS, withListener } from '../listener-list.js';
import { type CloseListener, type PacketListener, type Transport, TransportError } from '../transport.js';
import { onAcl } from './acl.js';
import { execute } from './command-handler.js';
import { VirtualHardwareCode } from './hardware-codes.js';
import { abandonLinks, ends } from './links.js';
import type { ControllerProfile } from './profiles/profile.js';
import { type AirIndex, ControllerState } from './state.js';

export { VirtualHardwareCode } from './hardware-codes.js';

/** Options of one virtual controller. */
export interface VirtualControllerOptions {
  /** The public device address, 6 octets in wire order; the medium picks one when absent. */
  readonly address?: Uint8Array;
  /** LE_ACL_Data_Packet_Length, 27 (the LE minimum, the default) to 65535. */
  readonly aclBufferSize?: number;
  /** Total_Num_LE_ACL_Data_Packets, 1 to 255; 4 by default. */
  readonly aclBufferCount?: number;
  /**
   * A real controller to play (see `controllerProfile`): its version answers,
   * its buffers (an LE count of 0 sharing the BR/EDR buffers), its LE
   * features, its connection limit, and Unknown HCI Command (0x01) for the
   * commands its complete Supported Commands list lacks. Values the profile
   * does not know are this controller's own. The buffer options override the
   * profile's.
   */
  readonly profile?: ControllerProfile;
}

/**
 * What a virtual controller needs of the medium it is on: the air's indexes
 * of who advertises, scans and initiates, and where its connection handles
 * start. `VirtualAir` implements it; a controller is made with
 * `VirtualAir.createController`.
 * @internal
 */
export interface VirtualMedium extends AirIndex {
  /** Where a new controller's handle counter starts (handles are per controller, 0x0000 to 0x0EFF). */
  firstHandle(): number;
}

/** A connection as one controller sees it, for tests and diagnostics. Keys are never exposed. */
export interface VirtualConnectionInfo {
  /** This controller's Connection_Handle. */
  readonly handle: number;
  /** 0x00 Central, 0x01 Peripheral. */
  readonly role: 0x00 | 0x01;
  /** 0x00 public, 0x01 random. */
  readonly peerAddressType: number;
  /** 6 octets, wire order. */
  readonly peerAddress: Uint8Array;
  /** True once an encryption start succeeded and until the link ends. */
  readonly encrypted: boolean;
  /** True while an encryption start or refresh waits for the Peripheral's host. */
  readonly encryptionPending: boolean;
}

/**
 * A virtual LE controller, reached through the {@link Transport} it
 * implements. Create it with `VirtualAir.createController`; the host sends it
 * HCI commands and ACL packets with `send` and hears events and ACL packets
 * through `onPacket`.
 *
 * Implemented (Core Vol 4 Part E): Reset, Read BD_ADDR, Read Local Version
 * Information, Set Event Mask, LE Set Event Mask (stored, not applied), Read
 * Buffer Size, LE Read Buffer Size, LE Read Local Supported Features, LE Set
 * Random Address, LE Set Advertising Parameters / Data / Scan Response Data /
 * Enable, LE Set Scan Parameters / Enable, LE Create Connection (and Cancel),
 * Disconnect, LE Rand, LE Enable Encryption, LE Long Term Key Request Reply and
 * Negative Reply; ACL data with LE ACL flow control. Connection handles are
 * the controller's own (0x0000 to 0x0EFF, allocated in O(1)); the two ends of
 * a link never share a handle, so a host that confuses its handle with its
 * peer's fails.
 * @example
 * ```ts
 * const air = new VirtualAir();
 * const controller = air.createController({ address: Uint8Array.of(1, 0, 0, 0, 0, 0xc0) });
 * controller.onPacket((packet) => console.log(decodeEvent(packet.data)));
 * controller.send({ type: 'command', data: encodeCommand({ name: 'read-bd-addr' }) });
 * // later: Command Complete with address 01:00:00:00:00:c0 (wire order)
 * ```
 */
export class VirtualController implements Transport {
  /** The public device address, 6 octets in wire order. */
  readonly address: Uint8Array;
  /** LE_ACL_Data_Packet_Length: the largest ACL payload the host may send. */
  readonly aclBufferSize: number;
  /** Total_Num_LE_ACL_Data_Packets: how many ACL packets may be in the controller at once. */
  readonly aclBufferCount: number;

  readonly #state: ControllerState;
  #closeListeners: readonly CloseListener[] = NO_LISTENERS;
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * Puts a controller on `medium`; `VirtualAir.createController` is the way
   * to make one (it picks an address and indexes the controller on its air).
   * @throws TypeError when the address is not 6 octets, RangeError when a buffer option is out of range.
   * @internal
   */
  constructor(medium: VirtualMedium, address: Uint8Array, options: VirtualControllerOptions = {}) {
    if (!(address instanceof Uint8Array) || address.length !== 6) {
      throw new TypeError('VirtualController: address must be a Uint8Array of 6 octets (wire order)');
    }
    const profile = options.profile;
    // The profile's LE buffers, or the BR/EDR ones it shares with LE (LE count 0).
    const le = profile?.leBuffers.value;
    const shared = le?.count === 0 ? profile?.aclBuffers.value : undefined;
    const size = options.aclBufferSize ?? shared?.size ?? (le?.size || undefined) ?? 27;
    const count = options.aclBufferCount ?? shared?.count ?? (le?.count || undefined) ?? 4;
    if (!Number.isInteger(size) || size < 27 || size > 0xffff) {
      throw new RangeError(
        `VirtualController: aclBufferSize must be an integer from 27 to 65535, got ${size}`,
      );
    }
    if (!Number.isInteger(count) || count < 1 || count > 0xff) {
      throw new RangeError(
        `VirtualController: aclBufferCount must be an integer from 1 to 255, got ${count}`,
      );
    }
    this.address = new Uint8Array(address);
    this.aclBufferSize = size;
    this.aclBufferCount = count;
    this.#state = new ControllerState(medium, this.address, size, count, medium.firstHandle(), profile);
  }

  // ---------------------------------------------------------------- Transport

  /**
   * Hands the controller one HCI packet from the host. Throws a `closed` TransportError after close.
   * @example
   * ```ts
   * controller.send({ type: 'command', data: encodeCommand({ name: 'reset' }) });
   * ```
   */
  send(packet: HciPacket): void {
    const state = this.#state;
    if (!state.open) {
      throw new TransportError(
        'closed',
        `virtual controller ${formatAddress(this.address)}: the transport is closed; create a new controller`,
      );
    }
    switch (packet.type) {
      case 'command':
        this.#onCommand(packet.data);
        break;
      case 'acl':
        onAcl(state, packet.data);
        break;
      default:
        state.hardwareError(VirtualHardwareCode.UnexpectedPacket);
    }
  }

  /**
   * Adds a listener for the events and ACL packets the controller sends to the host.
   * @example
   * ```ts
   * controller.onPacket((packet) => console.log(packet.type, packet.data.length));
   * ```
   */
  onPacket(listener: PacketListener): void {
    this.#state.packetListeners = withListener(this.#state.packetListeners, listener);
  }

  /**
   * Adds a listener for the close; after the close it hears it at once, asynchronously.
   * @example
   * ```ts
   * controller.onClose((error) => console.log('controller gone', error?.message));
   * ```
   */
  onClose(listener: CloseListener): void {
    if (this.#closed) queueMicrotask(() => listener());
    else this.#closeListeners = withListener(this.#closeListeners, listener);
  }

  /**
   * Powers the controller off: its peers see their links end with 0x08
   * Connection Timeout, it leaves the medium, and packets not yet delivered to
   * its host are dropped. Safe to call more than once.
   * @example
   * ```ts
   * await controller.close(); // the peer's host sees Disconnection Complete, reason 0x08
   * ```
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    const state = this.#state;
    state.open = false;
    abandonLinks(state, HciErrorCode.ConnectionTimeout);
    state.advertising = false;
    state.scanning = false;
    state.initiating = undefined;
    state.air.leave(state);
    this.#closing = new Promise<void>((resolve) => {
      queueMicrotask(() => {
        this.#closed = true;
        const listeners = this.#closeListeners;
        this.#closeListeners = NO_LISTENERS;
        state.packetListeners = NO_LISTENERS;
        for (const listener of listeners) listener();
        resolve();
      });
    });
    return this.#closing;
  }

  // ---------------------------------------------------------------- inspection

  /** False once {@link close} was called. */
  get isOpen(): boolean {
    return this.#state.open;
  }

  /** True while advertising is enabled. */
  get advertising(): boolean {
    return this.#state.advertising;
  }

  /** True while scanning is enabled. */
  get scanning(): boolean {
    return this.#state.scanning;
  }

  /** The event masks the host last set (Set Event Mask, LE Set Event Mask), wire order. */
  get eventMasks(): { readonly eventMask: Uint8Array; readonly leEventMask: Uint8Array } {
    const { eventMask, leEventMask } = this.#state;
    return { eventMask: new Uint8Array(eventMask), leEventMask: new Uint8Array(leEventMask) };
  }

  /** ACL buffers holding packets not yet delivered to the peer. */
  get aclBuffersInUse(): number {
    return this.#state.buffersInUse;
  }

  /**
   * The live connections of this controller.
   * @example
   * ```ts
   * for (const link of controller.connections()) console.log(link.handle);
   * ```
   */
  connections(): VirtualConnectionInfo[] {
    return [...this.#state.links].map(([handle, link]) => {
      const { mine } = ends(link, this.#state);
      return {
        handle,
        role: mine === link.central ? 0x00 : 0x01,
        peerAddressType: mine.peerAddressType,
        peerAddress: new Uint8Array(mine.peerAddress),
        encrypted: link.encrypted,
        encryptionPending: link.pending !== undefined,
      };
    });
  }

  /**
   * Whether this controller has a live connection with `handle`.
   * @example
   * ```ts
   * controller.hasHandle(0x0040); // true while that link is up
   * ```
   */
  hasHandle(handle: number): boolean {
    return this.#state.links.has(handle);
  }

  // ---------------------------------------------------------------- commands

  #onCommand(data: Uint8Array): void {
    const state = this.#state;
    if (state.commandOutstanding) {
      state.hardwareError(VirtualHardwareCode.CommandOverflow);
      return;
    }
    state.commandOutstanding = true;
    const decoded = decodeCommand(data);
    if (!decoded.ok) {
      state.completeStatus(decoded.opcode, decoded.status);
      return;
    }
    const opcode = data[0]! | (data[1]! << 8);
    execute(state, decoded.command, opcode);
  }
}
