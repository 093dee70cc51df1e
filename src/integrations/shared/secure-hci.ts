/**
 * The adapter between noble or bleno and their HCI socket: ble-smp's
 * {@link SecurityManager} takes the LE Security Manager's place. It consumes
 * SMP (CID 0x0006) and LE Long Term Key Requests, starts encryption, keeps
 * bonds, and passes everything else through unchanged. The library's own SMP
 * never sees a PDU; noble's Pairing Request (sent when a peripheral answers
 * with Insufficient Authentication) becomes {@link SecurityManager.secure}.
 * @module
 */
import { EventEmitter } from 'node:events';
import { decodeAcl, fragment, PacketBoundary } from '../../hci/acl.js';
import { encodeCommand, type HciCommand } from '../../hci/commands.js';
import { decodeEvent, encodeEvent, type HciEvent, type ReturnParameters } from '../../hci/events.js';
import { encodeL2cap, FixedChannel, L2capReassembler } from '../../hci/l2cap.js';
import type { Bond } from '../../host/bond-store.js';
import { HciCommandError } from '../../host/command-channel.js';
import { PairingError } from '../../host/security-errors.js';
import { SecurityManager } from '../../host/security-manager.js';
import type { SecurityEvent, SecurityHost, SecurityOptions } from '../../host/security-types.js';
import { storeIdentity } from '../../host/store-identity.js';
import { Opcode } from '../../smp/constants.js';
import type { DeviceAddress } from '../../smp/delegate.js';
import type { SessionPhase } from '../../smp/session.js';
import type { PairingResult } from '../../smp/session-types.js';
import { AclLedger } from './acl-ledger.js';
import { CommandGate } from './command-gate.js';
import type { HciDeviceInfo, HciSocketLike } from './socket-api.js';

/**
 * Events of a {@link SecureHci}, each with the connection handle and the
 * peer's address. A pairing reports `encrypted` (fromBond false) as soon as
 * the link is encrypted, before the keys are distributed, then `paired` once
 * they are (and `bonded` when they were kept): wait for `paired` before
 * disconnecting, or the bond is lost on both sides.
 */
export interface SecureHciEvents {
  pairing: [handle: number, peer: DeviceAddress, phase: SessionPhase];
  /** The link is encrypted: `fromBond` with a kept key (then `bond` is it), else by a pairing still distributing keys. */
  encrypted: [handle: number, peer: DeviceAddress, fromBond: boolean, bond: Bond | undefined];
  'security-request': [handle: number, peer: DeviceAddress, authReq: number];
  /** A pairing is complete, whichever side started it: keys distributed, and kept (`bond`) when both bond. */
  paired: [handle: number, peer: DeviceAddress, result: PairingResult, bond: Bond | undefined];
  /** A bond was kept after a pairing (comes just before `paired`). */
  bonded: [handle: number, peer: DeviceAddress, bond: Bond];
  /** Securing a link failed: a pairing (either side's Pairing Failed, the SMP timer) or a re-encryption the library asked for. */
  error: [handle: number, peer: DeviceAddress, error: Error];
}

/**
 * How the library hears of encryption. `always`: every Encryption Change
 * (bleno's GATT server checks the link's encryption per request).
 * `when-asked`: only after the library asked for security, once per request
 * (noble's GATT client repeats its current request on every Encryption
 * Change: with none pending it throws, with one in flight it is sent twice).
 */
export type EncryptionReports = 'always' | 'when-asked';

/** Events a raw socket must let through for the adapter: Disconnection Complete, Encryption Change, Command Complete/Status, Number of Completed Packets, Key Refresh, LE Meta. */
const NEEDED_EVENTS_LOW = (1 << 0x05) | (1 << 0x08) | (1 << 0x0e) | (1 << 0x0f) | (1 << 0x13);
const NEEDED_EVENTS_HIGH = (1 << (0x30 - 32)) | (1 << (0x3e - 32));

const RESET_OPCODE = 0x0c03;

interface Link {
  readonly peer: DeviceAddress;
  readonly reassembler: L2capReassembler;
  /** Whether the L2CAP frame being received is SMP (ours) or not (the library's). */
  ours: boolean;
  /** Whether the frame the library is sending is SMP (dropped). */
  dropping: boolean;
  /** The library asked for security (its Pairing Request) and waits for an Encryption Change. */
  asked: boolean;
}

/**
 * ble-smp's Security Manager for one HCI socket of noble or bleno. Make it
 * with `secureNoble` (ble-smp/noble) or `secureBleno` (ble-smp/bleno), which put its sockets in
 * place of the native module's; `security` is the Security Manager (bonds,
 * OOB data), and the events report pairing per connection.
 * @example
 * ```ts
 * const secure = secureNoble({ delegate, bondStore: FileBondStore.open({ local, path: 'bonds.json' }) });
 * secure.on('encrypted', (handle, peer, bonded) => console.log(handle, bonded ? 'bond' : 'paired'));
 * ```
 */
export class SecureHci extends EventEmitter<SecureHciEvents> {
  /** The Security Manager serving every link of the socket. */
  readonly security: SecurityManager;
  readonly #open: () => HciSocketLike;
  #inner: HciSocketLike | undefined;
  #gate: CommandGate | undefined;
  #ledger: AclLedger | undefined;
  #bufferSize = 27;
  #local: DeviceAddress = { address: new Uint8Array(6), type: 0 };
  readonly #links = new Map<number, Link>();
  #deliver: (data: Buffer) => void = () => undefined;
  readonly #reports: EncryptionReports;

  /**
   * @param open makes the socket underneath (the native module's, or a stand-in).
   * @param reports how the library hears of encryption (noble: `when-asked`, bleno: `always`).
   */
  constructor(
    open: () => HciSocketLike,
    options: SecurityOptions = {},
    reports: EncryptionReports = 'always',
  ) {
    super();
    this.#open = open;
    this.#reports = reports;
    const host: SecurityHost = {
      sendSmp: (handle, data) => this.#sendSmp(handle, data),
      command: (command) => this.#command(command),
      emit: (handle, event) => this.#report(handle, event),
    };
    this.security = new SecurityManager(host, options);
  }

  /**
   * The socket class for noble or bleno: HCI sockets are secured, control
   * sockets pass through. One HCI socket at a time.
   */
  get socketClass(): new () => HciSocketLike {
    return makeSocketClass(this);
  }

  /**
   * Resolves once a link (the next one, or the one with `peer`'s address) is
   * secure for good: encrypted with a kept bond (`fromBond` true), or paired
   * with its keys distributed and kept when both bond (`fromBond` false): not
   * on the `encrypted` of a pairing, which comes before key distribution.
   * Rejects with the link's `error` (a failed pairing or re-encryption).
   * @example
   * ```ts
   * const [{ fromBond }] = await Promise.all([secure.secured(), peripheral.discoverServicesAsync([])]);
   * console.log(fromBond ? 'encrypted with the bond' : 'paired');
   * ```
   */
  secured(
    peer?: Uint8Array,
  ): Promise<{ handle: number; peer: DeviceAddress; fromBond: boolean; bond: Bond | undefined }> {
    const ours = (address: DeviceAddress) =>
      peer === undefined ||
      (address.address.length === peer.length && address.address.every((b, i) => b === peer[i]));
    return new Promise((resolve, reject) => {
      const done = (settle: () => void) => {
        this.off('encrypted', onEncrypted).off('paired', onPaired).off('error', onError);
        settle();
      };
      const onEncrypted = (
        handle: number,
        address: DeviceAddress,
        fromBond: boolean,
        bond: Bond | undefined,
      ) => {
        if (fromBond && ours(address)) done(() => resolve({ handle, peer: address, fromBond, bond }));
      };
      const onPaired = (
        handle: number,
        address: DeviceAddress,
        _result: PairingResult,
        bond: Bond | undefined,
      ) => {
        if (ours(address)) done(() => resolve({ handle, peer: address, fromBond: false, bond }));
      };
      const onError = (_handle: number, address: DeviceAddress, error: Error) => {
        if (ours(address)) done(() => reject(error));
      };
      this.on('encrypted', onEncrypted).on('paired', onPaired).on('error', onError);
    });
  }

  /** @internal a socket of {@link socketClass} opens the one underneath. */
  attach(deliver: (data: Buffer) => void): HciSocketLike {
    const inner = this.#open();
    this.#inner = inner;
    this.#deliver = deliver;
    this.#gate = new CommandGate((data) => inner.write(withIndicator(0x01, data)));
    this.#ledger = new AclLedger((packet) => inner.write(withIndicator(0x02, packet)));
    inner.on('data', (data) => this.#fromController(data));
    return inner;
  }

  /** @internal a control socket: straight to a socket underneath. */
  attachControl(): HciSocketLike {
    return this.#open();
  }

  /** @internal the devices, as the socket underneath lists them. */
  deviceList(): HciDeviceInfo[] {
    return this.#open().getDeviceList();
  }

  /** @internal a packet the library writes (with its H4 indicator). */
  fromLibrary(data: Buffer): void {
    const body = Uint8Array.from(data.subarray(1));
    if (data[0] === 0x01) this.#gate?.submit(body);
    else if (data[0] === 0x02) this.#libraryAcl(body);
    else this.#inner?.write(data);
  }

  /** @internal adds the events the adapter needs to a raw socket's filter. */
  widenFilter(filter: Buffer): Buffer {
    const out = Buffer.from(filter);
    if (out.length < 12) return out;
    out.writeUInt32LE((out.readUInt32LE(0) | (1 << 2) | (1 << 4)) >>> 0, 0);
    out.writeUInt32LE((out.readUInt32LE(4) | NEEDED_EVENTS_LOW) >>> 0, 4);
    out.writeUInt32LE((out.readUInt32LE(8) | NEEDED_EVENTS_HIGH) >>> 0, 8);
    return out;
  }

  #libraryAcl(body: Uint8Array): void {
    const decoded = decodeAcl(body);
    if (!decoded.ok) return;
    const { handle, pb, data } = decoded.packet;
    const link = this.#links.get(handle);
    if (link) {
      if (pb !== PacketBoundary.Continuing)
        link.dropping = data.length >= 4 && cid(data) === FixedChannel.Smp;
      if (link.dropping) {
        // The library's own SMP: dropped. Its Pairing Request as a central asks for security.
        if (pb !== PacketBoundary.Continuing && data[4] === Opcode.PairingRequest) this.#asked(handle, link);
        // It counted the packet against the controller's buffers: give it back.
        const event = encodeEvent({ name: 'number-of-completed-packets', completed: [{ handle, count: 1 }] });
        setImmediate(() => this.#deliver(withIndicator(0x04, event)));
        return;
      }
    }
    this.#ledger?.enqueue(handle, 'app', [body]);
  }

  /**
   * The library asked for security: it hears of the encryption once the link
   * is encrypted, at once when it already is (a pairing or re-encryption the
   * peer started may be under way or done).
   */
  #asked(handle: number, link: Link): void {
    if (this.security.isEncrypted(handle)) {
      const event = encodeEvent({ name: 'encryption-change', status: 0, handle, enabled: 1 });
      setImmediate(() => this.#links.get(handle) === link && this.#deliver(withIndicator(0x04, event)));
      return;
    }
    link.asked = true;
    const phase = this.security.phase(handle);
    if (phase !== undefined && phase !== 'idle' && phase !== 'completed' && phase !== 'failed') return;
    this.security.secure(handle).catch((error: Error) => {
      // A failed pairing is reported by its own event.
      if (!(error instanceof PairingError)) this.#fail(handle, link.peer, error);
    });
  }

  /** Whether the library hears of this encryption change (see {@link EncryptionReports}). */
  #reportsEncryption(handle: number): boolean {
    const link = this.#links.get(handle);
    if (this.#reports === 'always' || !link) return true;
    const asked = link.asked;
    link.asked = false;
    return asked;
  }

  #fromController(data: Buffer): void {
    if (data[0] === 0x04) {
      const body = Uint8Array.from(data.subarray(1));
      if (this.#gate?.onEvent(body)) return;
      const decoded = decodeEvent(body);
      if (decoded.ok) {
        const forward = this.#onEvent(decoded.event);
        if (forward === undefined) return;
        if (forward !== body) {
          this.#deliver(withIndicator(0x04, forward));
          return;
        }
      }
    } else if (data[0] === 0x02 && this.#onAcl(Uint8Array.from(data.subarray(1)))) {
      return;
    }
    this.#deliver(data);
  }

  /** Handles an event; returns what to pass to the library (undefined: nothing). */
  #onEvent(event: HciEvent): Uint8Array | undefined {
    const pass = encodeEvent(event);
    switch (event.name) {
      case 'command-complete':
        this.#sniff(event.returnParameters);
        // noble 1.9.2 on the user channel never reads the buffer size after Reset, and waits for it before any ACL.
        if (event.opcode === RESET_OPCODE) this.#readBuffers();
        return pass;
      case 'le-connection-complete':
      case 'le-enhanced-connection-complete': {
        if (event.status !== 0) return pass;
        const peer: DeviceAddress = {
          address: event.peerAddress,
          type: (event.peerAddressType & 1) as 0 | 1,
        };
        const role = event.role === 0 ? 'central' : 'peripheral';
        this.#links.set(event.handle, {
          peer,
          reassembler: new L2capReassembler(),
          ours: false,
          dropping: false,
          asked: false,
        });
        this.security.addLink({ handle: event.handle, role, local: this.#local, peer });
        return pass;
      }
      case 'disconnection-complete':
        if (event.status === 0 && this.#links.delete(event.handle)) {
          this.#ledger?.disconnected(event.handle);
          this.security.removeLink(event.handle, event.reason);
        }
        return pass;
      case 'encryption-change':
        this.security.onEncryptionChange(event.handle, event.status, event.enabled);
        return this.#reportsEncryption(event.handle) ? pass : undefined;
      case 'encryption-key-refresh-complete':
        this.security.onEncryptionChange(event.handle, event.status, 1);
        // The libraries wait for Encryption Change after asking for security: tell them so.
        return this.#reportsEncryption(event.handle)
          ? encodeEvent({ name: 'encryption-change', status: event.status, handle: event.handle, enabled: 1 })
          : undefined;
      case 'le-long-term-key-request':
        this.security.onLtkRequest(event.handle, event.ediv, event.rand);
        return undefined;
      case 'number-of-completed-packets': {
        const completed = event.completed
          .map(({ handle, count }) => ({ handle, count: this.#ledger?.completed(handle, count) ?? count }))
          .filter((c) => c.count > 0);
        return completed.length > 0
          ? encodeEvent({ name: 'number-of-completed-packets', completed })
          : undefined;
      }
      default:
        return pass;
    }
  }

  /** Reads LE Read Buffer Size for the library too: its answer goes to the adapter and the library. */
  #readBuffers(): void {
    this.#gate?.submit(encodeCommand({ name: 'le-read-buffer-size' }), (event) => {
      if (event.name === 'command-complete') this.#sniff(event.returnParameters);
      this.#deliver(withIndicator(0x04, encodeEvent(event)));
    });
  }

  /** Learns our address and the buffers from the library's own start-up commands. */
  #sniff(rp: ReturnParameters): void {
    if (rp.kind === 'read-bd-addr' && rp.status === 0) {
      this.#local = { address: rp.address, type: 0 };
      this.security.setIdentity(storeIdentity(this.#local, this.security.bonds));
    } else if (rp.kind === 'le-read-buffer-size' && rp.status === 0 && rp.leAclDataPacketLength > 0) {
      this.#bufferSize = Math.max(27, rp.leAclDataPacketLength);
      this.#ledger?.setBuffers(rp.totalNumLeAclDataPackets);
    } else if (rp.kind === 'read-buffer-size' && rp.status === 0) {
      this.#bufferSize = Math.max(27, rp.aclDataPacketLength);
      this.#ledger?.setBuffers(rp.totalNumAclDataPackets);
    }
  }

  /** Takes SMP frames; returns true when the packet was ours. */
  #onAcl(body: Uint8Array): boolean {
    const decoded = decodeAcl(body);
    if (!decoded.ok) return false;
    const { handle, pb, data } = decoded.packet;
    const link = this.#links.get(handle);
    if (!link) return false;
    if (pb !== PacketBoundary.Continuing) link.ours = data.length >= 4 && cid(data) === FixedChannel.Smp;
    if (!link.ours) return false;
    const result = link.reassembler.push(pb, data);
    if (result.frame) this.security.onSmp(handle, result.frame.payload);
    return true;
  }

  #sendSmp(handle: number, data: Uint8Array): void {
    const packets = fragment(handle, encodeL2cap(FixedChannel.Smp, data), this.#bufferSize);
    this.#ledger?.enqueue(handle, 'adapter', packets, () => this.security.acknowledged(handle));
  }

  #command(command: HciCommand): Promise<ReturnParameters> {
    return new Promise((resolve, reject) => {
      const gate = this.#gate;
      if (!gate) {
        reject(new Error('the HCI socket is not open'));
        return;
      }
      const packet = encodeCommand(command);
      const opcode = packet[0]! | (packet[1]! << 8);
      gate.submit(packet, (event) => {
        const rp: ReturnParameters =
          event.name === 'command-complete'
            ? event.returnParameters
            : { kind: 'status', status: event.status };
        const status = 'status' in rp ? rp.status : 0;
        if (status === 0) resolve(rp);
        else reject(new HciCommandError(opcode, status));
      });
    });
  }

  #report(handle: number, event: SecurityEvent): void {
    const peer = this.#links.get(handle)?.peer;
    if (!peer) return;
    switch (event.type) {
      case 'pairing':
        this.emit('pairing', handle, peer, event.phase);
        return;
      case 'encrypted':
        this.emit('encrypted', handle, peer, event.bonded, event.bond);
        return;
      case 'security-request':
        this.emit('security-request', handle, peer, event.authReq);
        return;
      case 'bonded':
        this.emit('bonded', handle, peer, event.bond);
        return;
      case 'paired':
        this.emit('paired', handle, peer, event.result, event.bond);
        return;
      case 'pairing-failed':
      case 'encryption-failed':
        this.#fail(handle, peer, event.error);
        return;
    }
  }

  /** Emits `error`, when someone listens: a failure the app does not watch is no crash (EventEmitter would throw). */
  #fail(handle: number, peer: DeviceAddress, error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', handle, peer, error);
  }
}

function cid(l2cap: Uint8Array): number {
  return l2cap[2]! | (l2cap[3]! << 8);
}

function withIndicator(indicator: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 1);
  out[0] = indicator;
  out.set(body, 1);
  return out;
}

/** The class noble and bleno construct: HCI sockets go through the adapter, control sockets straight to the one underneath. */
function makeSocketClass(adapter: SecureHci): new () => HciSocketLike {
  return class SecureHciSocket extends EventEmitter implements HciSocketLike {
    #inner: HciSocketLike | undefined;
    #control = false;

    #open(control: boolean): HciSocketLike {
      this.#control = control;
      if (control) {
        const inner = adapter.attachControl();
        inner.on('data', (data) => this.emit('data', data));
        inner.on('error', (error) => this.emit('error', error));
        this.#inner = inner;
        return inner;
      }
      const inner = adapter.attach((data) => this.emit('data', data));
      inner.on('error', (error) => this.emit('error', error));
      inner.on('state', (up) => this.emit('state', up));
      this.#inner = inner;
      return inner;
    }

    bindRaw(devId?: number, params?: unknown): number {
      return this.#open(false).bindRaw(devId, params);
    }
    bindUser(devId?: number, params?: unknown): number {
      return this.#open(false).bindUser(devId, params);
    }
    bindControl(): void {
      this.#open(true).bindControl();
    }
    isDevUp(): boolean {
      return this.#inner?.isDevUp() ?? false;
    }
    setFilter(filter: Buffer): void {
      this.#inner?.setFilter(this.#control ? filter : adapter.widenFilter(filter));
    }
    start(): void {
      this.#inner?.start();
    }
    stop(): void {
      this.#inner?.stop();
    }
    write(data: Buffer): void {
      if (this.#control) this.#inner?.write(data);
      else adapter.fromLibrary(data);
    }
    getDeviceList(): HciDeviceInfo[] {
      return adapter.deviceList();
    }
  };
}
