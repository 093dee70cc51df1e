/**
 * A strict virtual Bluetooth LE controller behind the {@link Transport}
 * interface: it parses the host's HCI commands and ACL packets with the
 * library's own codecs (src/hci) and answers as a Controller would (Core Vol 4
 * Part E), with the link-layer behaviour of Vol 6 simplified to what a host
 * can observe: advertising reports, connection set-up, encryption start and
 * refresh, ACL relay with flow control, termination.
 *
 * Every packet to the host is delivered asynchronously (one microtask per
 * packet, in order), so a host never re-enters itself from inside `send`.
 * Controllers meet on a shared medium, {@link VirtualMedium}, which
 * `VirtualAir` (./air.ts) implements.
 * @module
 */

import { BroadcastFlag, decodeAcl, encodeAcl, PacketBoundary } from '../../hci/acl.js';
import {
  type AdvertisingParameters,
  type CreateConnectionParameters,
  decodeCommand,
  type HciCommand,
  type ScanParameters,
} from '../../hci/commands.js';
import { HciErrorCode } from '../../hci/constants.js';
import {
  type AdvertisingReport,
  encodeEvent,
  type HciEvent,
  returnParametersKind,
} from '../../hci/events.js';
import type { HciPacket } from '../../hci/h4.js';
import { checkConnectionParameters } from '../../hci/le-signalling.js';
import { formatAddress } from '../../smp/delegate.js';
import { type CloseListener, type PacketListener, type Transport, TransportError } from '../transport.js';

/**
 * The Hardware_Code of the HCI_Hardware_Error events (Vol 4 Part E 7.7.16) a
 * virtual controller raises when the host breaks the HCI protocol. The spec
 * leaves the codes to the implementation; these are this controller's. The
 * offending packet is dropped.
 * @example
 * ```ts
 * if (event.name === 'hardware-error' && event.hardwareCode === VirtualHardwareCode.AclTooLong) {
 *   console.error('the host ignored LE_ACL_Data_Packet_Length');
 * }
 * ```
 */
export const VirtualHardwareCode = Object.freeze({
  /** An ACL packet whose header does not match its length, or with a PB/BC flag not used on LE. */
  MalformedAcl: 0x01,
  /** An ACL packet whose payload exceeds the ACL data packet length the controller reported (7.8.2). */
  AclTooLong: 0x02,
  /** An ACL packet sent while every ACL buffer was in use: the host ignored its credits (4.1.1). */
  AclBufferOverflow: 0x03,
  /** A command sent before the previous one was answered: Num_HCI_Command_Packets is 1 (4.4). */
  CommandOverflow: 0x04,
  /** A packet of a type a host does not send to an LE controller (event, SCO, ISO). */
  UnexpectedPacket: 0x05,
} as const);

/** Options of one virtual controller. */
export interface VirtualControllerOptions {
  /** The public device address, 6 octets in wire order; the medium picks one when absent. */
  readonly address?: Uint8Array;
  /** LE_ACL_Data_Packet_Length, 27 (the LE minimum, the default) to 65535. */
  readonly aclBufferSize?: number;
  /** Total_Num_LE_ACL_Data_Packets, 1 to 255; 4 by default. */
  readonly aclBufferCount?: number;
}

/** What a virtual controller needs of the medium it is on. `VirtualAir` implements it. */
export interface VirtualMedium {
  /** Every controller on the medium, this one included. */
  controllers(): Iterable<VirtualController>;
  /** A connection handle no live connection on the medium uses, 0x0000 to 0x0EFF. */
  allocateHandle(): number;
  /** Takes a closed controller off the medium. */
  leave(controller: VirtualController): void;
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

/** One end of a link: which controller, under which handle. */
interface End {
  readonly controller: VirtualController;
  readonly handle: number;
  readonly peerAddressType: number;
  readonly peerAddress: Uint8Array;
}

/** A connection between two controllers, shared by both. */
interface Link {
  readonly central: End;
  readonly peripheral: End;
  alive: boolean;
  encrypted: boolean;
  /** The LTK in use once encrypted; a secret, never logged or exposed. */
  key: Uint8Array | undefined;
  /** An encryption start (or refresh) waiting for the Peripheral host's LTK reply. */
  pending: { readonly ltk: Uint8Array } | undefined;
}

/** Default event masks (7.3.1, 7.8.1), wire order. */
const DEFAULT_EVENT_MASK = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00, 0x00);
const DEFAULT_LE_EVENT_MASK = Uint8Array.of(0x1f, 0, 0, 0, 0, 0, 0, 0);

/** Default advertising parameters (7.8.5). */
const DEFAULT_ADVERTISING: AdvertisingParameters = Object.freeze({
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
const DEFAULT_SCAN: ScanParameters = Object.freeze({
  scanType: 0x00,
  scanInterval: 0x0010,
  scanWindow: 0x0010,
  ownAddressType: 0x00,
  scanningFilterPolicy: 0x00,
});

/** The reasons HCI_Disconnect accepts (7.1.6). */
const DISCONNECT_REASONS: ReadonlySet<number> = new Set([0x05, 0x13, 0x14, 0x15, 0x1a, 0x29, 0x3b]);

/** Advertising_Type -> Event_Type of the report it produces (7.8.5, 7.7.65.2). */
const REPORT_TYPE: Readonly<Record<number, number>> = { 0: 0x00, 1: 0x01, 2: 0x02, 3: 0x03, 4: 0x01 };
/** The RSSI every virtual report carries, in dBm. */
const RSSI = -40;
/** Advertising types that accept connections: ADV_IND and both ADV_DIRECT_IND (7.8.5). */
const CONNECTABLE: ReadonlySet<number> = new Set([0x00, 0x01, 0x04]);
const DIRECTED: ReadonlySet<number> = new Set([0x01, 0x04]);
/** Advertising types that answer scan requests: ADV_IND, ADV_SCAN_IND. */
const SCANNABLE: ReadonlySet<number> = new Set([0x00, 0x02]);

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
 * Negative Reply; ACL data with LE ACL flow control.
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

  readonly #medium: VirtualMedium;
  readonly #packetListeners = new Set<PacketListener>();
  readonly #closeListeners = new Set<CloseListener>();
  #open = true;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** True from a command's arrival until its Command Complete or Status reaches the host. */
  #commandOutstanding = false;

  #eventMask: Uint8Array = DEFAULT_EVENT_MASK;
  #leEventMask: Uint8Array = DEFAULT_LE_EVENT_MASK;
  #randomAddress: Uint8Array | undefined;
  #advertisingParameters: AdvertisingParameters = DEFAULT_ADVERTISING;
  #advertisingData: Uint8Array = new Uint8Array(0);
  #scanResponseData: Uint8Array = new Uint8Array(0);
  #advertising = false;
  #scanParameters: ScanParameters = DEFAULT_SCAN;
  #scanning = false;
  #filterDuplicates = false;
  readonly #reported = new Set<string>();
  #initiating: CreateConnectionParameters | undefined;
  readonly #links = new Map<number, Link>();
  #buffersInUse = 0;
  readonly #inFlight = new Map<Link, number>();

  /**
   * Puts a controller on `medium`. Prefer `VirtualAir.createController`, which
   * picks an address and registers the controller with the medium.
   * @throws TypeError when the address is not 6 octets, RangeError when a buffer option is out of range.
   */
  constructor(medium: VirtualMedium, address: Uint8Array, options: VirtualControllerOptions = {}) {
    if (!(address instanceof Uint8Array) || address.length !== 6) {
      throw new TypeError('VirtualController: address must be a Uint8Array of 6 octets (wire order)');
    }
    const size = options.aclBufferSize ?? 27;
    const count = options.aclBufferCount ?? 4;
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
    this.#medium = medium;
    this.address = new Uint8Array(address);
    this.aclBufferSize = size;
    this.aclBufferCount = count;
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
    if (!this.#open) {
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
        this.#onAcl(packet.data);
        break;
      default:
        this.#hardwareError(VirtualHardwareCode.UnexpectedPacket);
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
    this.#packetListeners.add(listener);
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
    else this.#closeListeners.add(listener);
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
    this.#open = false;
    this.#abandonLinks(HciErrorCode.ConnectionTimeout);
    this.#advertising = false;
    this.#scanning = false;
    this.#initiating = undefined;
    this.#medium.leave(this);
    this.#closing = new Promise<void>((resolve) => {
      queueMicrotask(() => {
        this.#closed = true;
        const listeners = [...this.#closeListeners];
        this.#closeListeners.clear();
        this.#packetListeners.clear();
        for (const listener of listeners) listener();
        resolve();
      });
    });
    return this.#closing;
  }

  // ---------------------------------------------------------------- inspection

  /** False once {@link close} was called. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** True while advertising is enabled. */
  get advertising(): boolean {
    return this.#advertising;
  }

  /** True while scanning is enabled. */
  get scanning(): boolean {
    return this.#scanning;
  }

  /** The event masks the host last set (Set Event Mask, LE Set Event Mask), wire order. */
  get eventMasks(): { readonly eventMask: Uint8Array; readonly leEventMask: Uint8Array } {
    return { eventMask: new Uint8Array(this.#eventMask), leEventMask: new Uint8Array(this.#leEventMask) };
  }

  /** ACL buffers holding packets not yet delivered to the peer. */
  get aclBuffersInUse(): number {
    return this.#buffersInUse;
  }

  /**
   * The live connections of this controller.
   * @example
   * ```ts
   * for (const link of controller.connections()) console.log(link.handle);
   * ```
   */
  connections(): VirtualConnectionInfo[] {
    return [...this.#links].map(([handle, link]) => {
      const end = link.central.controller === this ? link.central : link.peripheral;
      return {
        handle,
        role: end === link.central ? 0x00 : 0x01,
        peerAddressType: end.peerAddressType,
        peerAddress: new Uint8Array(end.peerAddress),
        encrypted: link.encrypted,
        encryptionPending: link.pending !== undefined,
      };
    });
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Delivers a packet to the host on a later turn of the event loop, in order (setImmediate is FIFO);
   * `before` runs just ahead of the listeners. Like a real controller's I/O, delivery is a macrotask, so
   * timers and other I/O run between packets even when thousands of links are busy.
   */
  #deliver(packet: HciPacket, before?: () => void): void {
    setImmediate(() => {
      if (!this.#open) return;
      before?.();
      for (const listener of [...this.#packetListeners]) listener(packet);
    });
  }

  #event(event: HciEvent, before?: () => void): void {
    this.#deliver({ type: 'event', data: encodeEvent(event) }, before);
  }

  #hardwareError(hardwareCode: number): void {
    this.#event({ name: 'hardware-error', hardwareCode });
  }

  /** Command Complete; the next command is welcome once it reaches the host. */
  #complete(event: Extract<HciEvent, { name: 'command-complete' }>): void {
    this.#event(event, () => {
      this.#commandOutstanding = false;
    });
  }

  /** Command Complete with only a status (or the raw status of an unknown opcode). */
  #completeStatus(opcode: number, status: number): void {
    const returnParameters =
      returnParametersKind(opcode) === 'raw'
        ? ({ kind: 'raw', data: Uint8Array.of(status) } as const)
        : ({ kind: 'status', status } as const);
    this.#complete({ name: 'command-complete', numHciCommandPackets: 1, opcode, returnParameters });
  }

  /** Command Complete with Status and Connection_Handle (7.8.25, 7.8.26). */
  #completeHandle(opcode: number, status: number, handle: number): void {
    this.#complete({
      name: 'command-complete',
      numHciCommandPackets: 1,
      opcode,
      returnParameters: { kind: 'connection-handle', status, handle },
    });
  }

  #commandStatus(opcode: number, status: number): void {
    this.#event({ name: 'command-status', status, numHciCommandPackets: 1, opcode }, () => {
      this.#commandOutstanding = false;
    });
  }

  // ---------------------------------------------------------------- commands

  #onCommand(data: Uint8Array): void {
    if (this.#commandOutstanding) {
      this.#hardwareError(VirtualHardwareCode.CommandOverflow);
      return;
    }
    this.#commandOutstanding = true;
    const decoded = decodeCommand(data);
    if (!decoded.ok) {
      this.#completeStatus(decoded.opcode, decoded.status);
      return;
    }
    const opcode = data[0]! | (data[1]! << 8);
    this.#execute(decoded.command, opcode);
  }

  #execute(command: HciCommand, opcode: number): void {
    const ok = HciErrorCode.Success;
    switch (command.name) {
      case 'reset':
        this.#reset();
        this.#completeStatus(opcode, ok);
        return;
      case 'read-bd-addr':
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          returnParameters: { kind: 'read-bd-addr', status: ok, address: new Uint8Array(this.address) },
        });
        return;
      case 'read-local-version-information':
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          returnParameters: {
            kind: 'read-local-version-information',
            status: ok,
            hciVersion: 0x0d, // Core 5.4
            hciSubversion: 0x0000,
            lmpVersion: 0x0d,
            companyIdentifier: 0xffff, // reserved for tests (Assigned Numbers)
            lmpSubversion: 0x0000,
          },
        });
        return;
      case 'set-event-mask':
        this.#eventMask = new Uint8Array(command.eventMask);
        this.#completeStatus(opcode, ok);
        return;
      case 'le-set-event-mask':
        this.#leEventMask = new Uint8Array(command.leEventMask);
        this.#completeStatus(opcode, ok);
        return;
      case 'read-buffer-size':
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          returnParameters: {
            kind: 'read-buffer-size',
            status: ok,
            aclDataPacketLength: this.aclBufferSize,
            syncDataPacketLength: 0,
            totalNumAclDataPackets: this.aclBufferCount,
            totalNumSyncDataPackets: 0,
          },
        });
        return;
      case 'le-read-buffer-size':
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          returnParameters: {
            kind: 'le-read-buffer-size',
            status: ok,
            leAclDataPacketLength: this.aclBufferSize,
            totalNumLeAclDataPackets: this.aclBufferCount,
          },
        });
        return;
      case 'le-read-local-supported-features':
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          // Bit 0: LE Encryption (Vol 6 Part B 4.6).
          returnParameters: {
            kind: 'le-read-local-supported-features',
            status: ok,
            leFeatures: leFeatures(),
          },
        });
        return;
      case 'le-set-random-address':
        if (this.#advertising || this.#scanning || this.#initiating) {
          this.#completeStatus(opcode, HciErrorCode.CommandDisallowed);
          return;
        }
        this.#randomAddress = new Uint8Array(command.randomAddress);
        this.#completeStatus(opcode, ok);
        return;
      case 'le-set-advertising-parameters': {
        const { name: _, ...parameters } = command;
        if (this.#advertising) this.#completeStatus(opcode, HciErrorCode.CommandDisallowed);
        else if (!validAdvertisingParameters(parameters)) {
          this.#completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        } else {
          this.#advertisingParameters = {
            ...parameters,
            peerAddress: new Uint8Array(parameters.peerAddress),
          };
          this.#completeStatus(opcode, ok);
        }
        return;
      }
      case 'le-set-advertising-data':
        this.#advertisingData = new Uint8Array(command.advertisingData);
        this.#completeStatus(opcode, ok);
        if (this.#advertising) this.#announce();
        return;
      case 'le-set-scan-response-data':
        this.#scanResponseData = new Uint8Array(command.scanResponseData);
        this.#completeStatus(opcode, ok);
        if (this.#advertising) this.#announce();
        return;
      case 'le-set-advertising-enable':
        if (command.enable && this.#ownAddress(this.#advertisingParameters.ownAddressType) === undefined) {
          // 7.8.9: a random own address that the host never set.
          this.#completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
          return;
        }
        this.#advertising = command.enable;
        this.#completeStatus(opcode, ok);
        if (command.enable) {
          this.#announce();
          for (const initiator of this.#medium.controllers()) {
            if (this.#advertising) initiator.#tryConnect();
          }
        }
        return;
      case 'le-set-scan-parameters': {
        const { name: _, ...parameters } = command;
        if (this.#scanning) this.#completeStatus(opcode, HciErrorCode.CommandDisallowed);
        else if (!validScanParameters(parameters)) {
          this.#completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        } else {
          this.#scanParameters = parameters;
          this.#completeStatus(opcode, ok);
        }
        return;
      }
      case 'le-set-scan-enable':
        if (command.enable && this.#ownAddress(this.#scanParameters.ownAddressType) === undefined) {
          this.#completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
          return;
        }
        if (command.enable && !this.#scanning) this.#reported.clear();
        this.#scanning = command.enable;
        this.#filterDuplicates = command.filterDuplicates;
        this.#completeStatus(opcode, ok);
        if (command.enable) {
          for (const advertiser of this.#medium.controllers()) advertiser.#offerReports(this);
        }
        return;
      case 'le-create-connection': {
        const { name: _, ...parameters } = command;
        if (this.#initiating) this.#commandStatus(opcode, HciErrorCode.CommandDisallowed);
        else if (
          !validConnectionParameters(parameters) ||
          this.#ownAddress(parameters.ownAddressType) === undefined
        ) {
          this.#commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        } else {
          this.#initiating = { ...parameters, peerAddress: new Uint8Array(parameters.peerAddress) };
          this.#commandStatus(opcode, ok);
          this.#tryConnect();
        }
        return;
      }
      case 'le-create-connection-cancel': {
        const pending = this.#initiating;
        if (!pending) {
          this.#completeStatus(opcode, HciErrorCode.CommandDisallowed);
          return;
        }
        this.#initiating = undefined;
        this.#completeStatus(opcode, ok);
        // 7.8.13: the cancelled creation ends with LE Connection Complete, status 0x02.
        this.#event({
          name: 'le-connection-complete',
          status: HciErrorCode.UnknownConnectionIdentifier,
          handle: 0,
          role: 0x00,
          peerAddressType: pending.peerAddressType & 1,
          peerAddress: new Uint8Array(pending.peerAddress),
          connectionInterval: 0,
          peripheralLatency: 0,
          supervisionTimeout: 0,
          centralClockAccuracy: 0,
        });
        return;
      }
      case 'disconnect': {
        const link = this.#links.get(command.handle);
        if (!link) this.#commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
        else if (!DISCONNECT_REASONS.has(command.reason)) {
          this.#commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        } else {
          this.#commandStatus(opcode, ok);
          const reason = command.reason;
          VirtualController.#terminate(link, (end) =>
            end.controller === this ? HciErrorCode.ConnectionTerminatedByLocalHost : reason,
          );
        }
        return;
      }
      case 'le-rand': {
        const randomNumber = new Uint8Array(8);
        globalThis.crypto.getRandomValues(randomNumber);
        this.#complete({
          name: 'command-complete',
          numHciCommandPackets: 1,
          opcode,
          returnParameters: { kind: 'le-rand', status: ok, randomNumber },
        });
        return;
      }
      case 'le-connection-update': {
        // 7.8.18: either end may ask; the new parameters reach both hosts in LE Connection Update Complete.
        const link = this.#links.get(command.handle);
        const invalid = checkConnectionParameters({
          intervalMin: command.connectionIntervalMin,
          intervalMax: command.connectionIntervalMax,
          peripheralLatency: command.maxLatency,
          timeoutMultiplier: command.supervisionTimeout,
        });
        if (!link) this.#commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
        else if (invalid) this.#commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        else {
          this.#commandStatus(opcode, ok);
          for (const end of [link.central, link.peripheral]) {
            end.controller.#event({
              name: 'le-connection-update-complete',
              status: ok,
              handle: end.handle,
              connectionInterval: command.connectionIntervalMax,
              peripheralLatency: command.maxLatency,
              supervisionTimeout: command.supervisionTimeout,
            });
          }
        }
        return;
      }
      case 'le-start-encryption': {
        const link = this.#links.get(command.handle);
        if (!link) this.#commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
        else if (link.central.controller !== this || link.pending !== undefined) {
          // Only the Central starts encryption (7.8.24), one procedure at a time.
          this.#commandStatus(opcode, HciErrorCode.CommandDisallowed);
        } else {
          this.#commandStatus(opcode, ok);
          link.pending = { ltk: new Uint8Array(command.ltk) };
          link.peripheral.controller.#event({
            name: 'le-long-term-key-request',
            handle: link.peripheral.handle,
            rand: new Uint8Array(command.rand),
            ediv: command.ediv,
          });
        }
        return;
      }
      case 'le-long-term-key-request-reply':
      case 'le-long-term-key-request-negative-reply': {
        const link = this.#links.get(command.handle);
        if (!link) {
          this.#completeHandle(opcode, HciErrorCode.UnknownConnectionIdentifier, command.handle);
          return;
        }
        const pending = link.pending;
        if (link.peripheral.controller !== this || pending === undefined) {
          // No LE Long Term Key Request is waiting for an answer on this link.
          this.#completeHandle(opcode, HciErrorCode.CommandDisallowed, command.handle);
          return;
        }
        link.pending = undefined;
        this.#completeHandle(opcode, ok, command.handle);
        if (command.name === 'le-long-term-key-request-negative-reply') {
          // Vol 6 Part B 5.1.3.1: the Peripheral rejects with 0x06; the Central's host hears it.
          link.central.controller.#event({
            name: 'encryption-change',
            status: HciErrorCode.PinOrKeyMissing,
            handle: link.central.handle,
            enabled: link.encrypted ? 0x01 : 0x00,
          });
        } else if (equal(pending.ltk, command.ltk)) {
          const refresh = link.encrypted;
          link.encrypted = true;
          link.key = new Uint8Array(command.ltk);
          for (const end of [link.central, link.peripheral]) {
            end.controller.#event(
              refresh
                ? { name: 'encryption-key-refresh-complete', status: ok, handle: end.handle }
                : { name: 'encryption-change', status: ok, handle: end.handle, enabled: 0x01 },
            );
          }
        } else {
          // Different keys: the first encrypted packet fails its MIC on both sides (Vol 6 Part B 5.1.3.1).
          VirtualController.#terminate(link, () => HciErrorCode.ConnectionTerminatedMicFailure);
        }
        return;
      }
    }
  }

  /** 7.3.2: back to the power-on state. Links vanish without an event here; peers time out. */
  #reset(): void {
    this.#abandonLinks(HciErrorCode.ConnectionTimeout);
    this.#eventMask = DEFAULT_EVENT_MASK;
    this.#leEventMask = DEFAULT_LE_EVENT_MASK;
    this.#randomAddress = undefined;
    this.#advertisingParameters = DEFAULT_ADVERTISING;
    this.#advertisingData = new Uint8Array(0);
    this.#scanResponseData = new Uint8Array(0);
    this.#advertising = false;
    this.#scanParameters = DEFAULT_SCAN;
    this.#scanning = false;
    this.#filterDuplicates = false;
    this.#reported.clear();
    this.#initiating = undefined;
    this.#buffersInUse = 0;
    this.#inFlight.clear();
  }

  /** Ends every link silently on this side; each peer's host hears Disconnection Complete with `reason`. */
  #abandonLinks(reason: number): void {
    for (const link of new Set(this.#links.values())) {
      VirtualController.#unlink(link);
      const peer = link.central.controller === this ? link.peripheral : link.central;
      peer.controller.#event({ name: 'disconnection-complete', status: 0, handle: peer.handle, reason });
    }
  }

  /** The address and type an own-address-type parameter designates; undefined for an unset random address. */
  #ownAddress(ownAddressType: number): { readonly type: number; readonly address: Uint8Array } | undefined {
    // 0x02/0x03 (RPA with fallback) fall back to public/random: there is no resolving list here.
    if ((ownAddressType & 1) === 0) return { type: 0x00, address: this.address };
    return this.#randomAddress && { type: 0x01, address: this.#randomAddress };
  }

  // ---------------------------------------------------------------- advertising and connections

  /** Offers this advertiser's current PDUs to every scanner on the medium. */
  #announce(): void {
    for (const scanner of this.#medium.controllers()) this.#offerReports(scanner);
  }

  /** Sends `scanner`'s host the advertising reports it would receive from this advertiser now. */
  #offerReports(scanner: VirtualController): void {
    if (scanner === this || !this.#advertising || !scanner.#scanning) return;
    const own = this.#ownAddress(this.#advertisingParameters.ownAddressType);
    if (own === undefined) return;
    const type = this.#advertisingParameters.advertisingType;
    const reports: AdvertisingReport[] = [];
    const report = (eventType: number, data: Uint8Array): void => {
      reports.push({
        eventType,
        addressType: own.type,
        address: new Uint8Array(own.address),
        data,
        rssi: RSSI,
      });
    };
    if (DIRECTED.has(type)) {
      if (scanner.#isTarget(this.#advertisingParameters, scanner.#scanParameters.ownAddressType)) {
        report(REPORT_TYPE[type]!, new Uint8Array(0));
      }
    } else {
      report(REPORT_TYPE[type]!, new Uint8Array(this.#advertisingData));
      if (scanner.#scanParameters.scanType === 0x01 && SCANNABLE.has(type)) {
        report(0x04, new Uint8Array(this.#scanResponseData)); // SCAN_RSP
      }
    }
    const fresh = reports.filter((r) => {
      if (!scanner.#filterDuplicates) return true;
      const key = `${r.eventType}:${r.addressType}:${hex(r.address)}:${hex(r.data)}`;
      if (scanner.#reported.has(key)) return false;
      scanner.#reported.add(key);
      return true;
    });
    if (fresh.length > 0) scanner.#event({ name: 'le-advertising-report', reports: fresh });
  }

  /** Whether directed advertising with `parameters` is aimed at this controller's own address. */
  #isTarget(parameters: AdvertisingParameters, ownAddressType: number): boolean {
    const own = this.#ownAddress(ownAddressType);
    return (
      own !== undefined &&
      (parameters.peerAddressType & 1) === own.type &&
      equal(parameters.peerAddress, own.address)
    );
  }

  /** When initiating, connects to an advertiser on the medium that accepts this initiator. */
  #tryConnect(): void {
    const request = this.#initiating;
    // Initiator_Filter_Policy 0x01 uses the Filter Accept List, which is empty here: it never connects.
    if (request === undefined || request.initiatorFilterPolicy !== 0x00) return;
    for (const advertiser of this.#medium.controllers()) {
      if (advertiser === this || !advertiser.#advertising) continue;
      const parameters = advertiser.#advertisingParameters;
      const address = advertiser.#ownAddress(parameters.ownAddressType);
      if (
        address === undefined ||
        !CONNECTABLE.has(parameters.advertisingType) ||
        (request.peerAddressType & 1) !== address.type ||
        !equal(request.peerAddress, address.address)
      ) {
        continue;
      }
      if (DIRECTED.has(parameters.advertisingType) && !this.#isTarget(parameters, request.ownAddressType)) {
        continue;
      }
      this.#establish(advertiser, request, address);
      return;
    }
  }

  /** Creates the link: LE Connection Complete on both sides; the advertiser stops advertising. */
  #establish(
    advertiser: VirtualController,
    request: CreateConnectionParameters,
    advertiserAddress: { readonly type: number; readonly address: Uint8Array },
  ): void {
    const own = this.#ownAddress(request.ownAddressType)!;
    this.#initiating = undefined;
    advertiser.#advertising = false;
    const central: End = {
      controller: this,
      handle: this.#medium.allocateHandle(),
      peerAddressType: advertiserAddress.type,
      peerAddress: new Uint8Array(advertiserAddress.address),
    };
    const peripheral: End = {
      controller: advertiser,
      handle: this.#medium.allocateHandle(),
      peerAddressType: own.type,
      peerAddress: new Uint8Array(own.address),
    };
    const link: Link = {
      central,
      peripheral,
      alive: true,
      encrypted: false,
      key: undefined,
      pending: undefined,
    };
    this.#links.set(central.handle, link);
    advertiser.#links.set(peripheral.handle, link);
    for (const [end, role] of [
      [central, 0x00],
      [peripheral, 0x01],
    ] as const) {
      end.controller.#event({
        name: 'le-connection-complete',
        status: HciErrorCode.Success,
        handle: end.handle,
        role,
        peerAddressType: end.peerAddressType,
        peerAddress: new Uint8Array(end.peerAddress),
        connectionInterval: request.connectionIntervalMin,
        peripheralLatency: request.maxLatency,
        supervisionTimeout: request.supervisionTimeout,
        centralClockAccuracy: 0x00,
      });
    }
  }

  /** Frees the ACL buffers a dead link held (Vol 4 Part E 4.3: they count as completed). */
  #release(link: Link): void {
    const held = this.#inFlight.get(link) ?? 0;
    this.#buffersInUse = Math.max(0, this.#buffersInUse - held);
    this.#inFlight.delete(link);
  }

  /**
   * Whether this controller has a live connection with `handle`; for the medium's handle allocation.
   * @example
   * ```ts
   * controller.hasHandle(0x0040); // true while that link is up
   * ```
   */
  hasHandle(handle: number): boolean {
    return this.#links.has(handle);
  }

  // ---------------------------------------------------------------- ACL

  #onAcl(data: Uint8Array): void {
    const decoded = decodeAcl(data);
    if (!decoded.ok) {
      this.#hardwareError(VirtualHardwareCode.MalformedAcl);
      return;
    }
    const { handle, pb, bc, data: payload } = decoded.packet;
    if (bc !== BroadcastFlag.PointToPoint || pb === PacketBoundary.Complete) {
      this.#hardwareError(VirtualHardwareCode.MalformedAcl);
      return;
    }
    if (payload.length > this.aclBufferSize) {
      this.#hardwareError(VirtualHardwareCode.AclTooLong);
      return;
    }
    const link = this.#links.get(handle);
    // Data for a handle that is not connected (a host racing a disconnection) is discarded, taking no buffer.
    if (link === undefined) return;
    if (this.#buffersInUse >= this.aclBufferCount) {
      this.#hardwareError(VirtualHardwareCode.AclBufferOverflow);
      return;
    }
    this.#buffersInUse++;
    this.#inFlight.set(link, (this.#inFlight.get(link) ?? 0) + 1);
    const peer = link.central.controller === this ? link.peripheral : link.central;
    // Vol 4 Part E 5.4.2: on LE a controller hands the host first packets as 0b10 (first flushable).
    const relayed = encodeAcl({
      handle: peer.handle,
      pb: pb === PacketBoundary.FirstNonFlushable ? PacketBoundary.FirstFlushable : pb,
      bc: BroadcastFlag.PointToPoint,
      data: payload,
    });
    // Data sent before a disconnection still reaches the peer (ahead of its Disconnection Complete).
    peer.controller.#deliver({ type: 'acl', data: relayed }, () => this.#delivered(link, handle));
  }

  /** One packet reached the peer: free its buffer and tell the host (7.7.19), unless the link ended. */
  #delivered(link: Link, handle: number): void {
    if (!link.alive || !this.#open) return;
    const held = this.#inFlight.get(link) ?? 0;
    if (held === 0) return;
    this.#inFlight.set(link, held - 1);
    this.#buffersInUse--;
    this.#event({ name: 'number-of-completed-packets', completed: [{ handle, count: 1 }] });
  }

  /** Removes a link from both controllers and frees its buffers. */
  static #unlink(link: Link): void {
    link.alive = false;
    link.pending = undefined;
    for (const end of [link.central, link.peripheral]) {
      if (end.controller.#links.get(end.handle) === link) end.controller.#links.delete(end.handle);
      end.controller.#release(link);
    }
  }

  /** Ends a link on both sides, each host hearing Disconnection Complete with its `reason`. */
  static #terminate(link: Link, reason: (end: End) => number): void {
    VirtualController.#unlink(link);
    for (const end of [link.central, link.peripheral]) {
      end.controller.#event({
        name: 'disconnection-complete',
        status: HciErrorCode.Success,
        handle: end.handle,
        reason: reason(end),
      });
    }
  }
}

// ------------------------------------------------------------------ parameter checks

/** 7.8.5: ranges of HCI_LE_Set_Advertising_Parameters. */
function validAdvertisingParameters(p: AdvertisingParameters): boolean {
  if (p.advertisingType > 0x04 || p.ownAddressType > 0x03 || p.peerAddressType > 0x01) return false;
  if (p.advertisingChannelMap === 0 || p.advertisingChannelMap > 0x07 || p.advertisingFilterPolicy > 0x03) {
    return false;
  }
  // High duty cycle directed advertising ignores the intervals.
  if (p.advertisingType === 0x01) return true;
  const inRange = (n: number): boolean => n >= 0x0020 && n <= 0x4000;
  return (
    inRange(p.advertisingIntervalMin) &&
    inRange(p.advertisingIntervalMax) &&
    p.advertisingIntervalMin <= p.advertisingIntervalMax
  );
}

/** 7.8.10: ranges of HCI_LE_Set_Scan_Parameters. */
function validScanParameters(p: ScanParameters): boolean {
  const inRange = (n: number): boolean => n >= 0x0004 && n <= 0x4000;
  return (
    p.scanType <= 0x01 &&
    inRange(p.scanInterval) &&
    inRange(p.scanWindow) &&
    p.scanWindow <= p.scanInterval &&
    p.ownAddressType <= 0x03 &&
    p.scanningFilterPolicy <= 0x03
  );
}

/** 7.8.12: ranges of HCI_LE_Create_Connection, and the supervision timeout rule. */
function validConnectionParameters(p: CreateConnectionParameters): boolean {
  const scan = (n: number): boolean => n >= 0x0004 && n <= 0x4000;
  const interval = (n: number): boolean => n >= 0x0006 && n <= 0x0c80;
  return (
    scan(p.scanInterval) &&
    scan(p.scanWindow) &&
    p.scanWindow <= p.scanInterval &&
    p.initiatorFilterPolicy <= 0x01 &&
    p.peerAddressType <= 0x03 &&
    p.ownAddressType <= 0x03 &&
    interval(p.connectionIntervalMin) &&
    interval(p.connectionIntervalMax) &&
    p.connectionIntervalMin <= p.connectionIntervalMax &&
    p.maxLatency <= 0x01f3 &&
    p.supervisionTimeout >= 0x000a &&
    p.supervisionTimeout <= 0x0c80 &&
    // Supervision_Timeout (10 ms units) > (1 + latency) * interval max (1.25 ms units) * 2.
    p.supervisionTimeout * 4 > (1 + p.maxLatency) * p.connectionIntervalMax &&
    p.minCeLength <= p.maxCeLength
  );
}

// ------------------------------------------------------------------ helpers

function leFeatures(): Uint8Array {
  return Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
