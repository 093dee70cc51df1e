/**
 * The host: brings a controller up over a {@link Transport}, keeps the
 * connection table, moves L2CAP frames over ACL with the controller's flow
 * control, answers the fixed channels it does not serve (LE signalling, ATT),
 * and hands SMP to the {@link SecurityManager}.
 * @module
 */
import { AclFlowControl, decodeAcl, fragment } from '../hci/acl.js';
import { attNotSupported } from '../hci/att.js';
import { COMMAND_OPCODE, type HciCommand } from '../hci/commands.js';
import { describeHciError, HciErrorCode } from '../hci/constants.js';
import { type AdvertisingReport, decodeEvent, type HciEvent, type ReturnParameters } from '../hci/events.js';
import { encodeL2cap, FixedChannel, L2capReassembler } from '../hci/l2cap.js';
import { leSignalling } from '../hci/le-signalling.js';
import { type DeviceAddress, formatAddress } from '../smp/delegate.js';
import type { Transport } from '../transport/transport.js';
import { advertisementOf } from './advertisement.js';
import {
  CommandChannel,
  HciCommandError,
  systemTimers,
  type Timers,
  UnsupportedCommandError,
} from './command-channel.js';
import { Connection, ConnectionError } from './connection.js';
import { type ControllerInfo, readControllerInfo, supportsCommand } from './controller-info.js';
import { Emitter } from './emitter.js';
import type {
  AdvertisingOptions,
  ConnectOptions,
  HostEvents,
  HostOptions,
  OwnAddress,
  ScanOptions,
} from './host-options.js';
import { parseAddress } from './parse-address.js';
import { isIdentityAddress } from './privacy.js';
import { SecurityManager } from './security-manager.js';
import type { ScOobData } from './security-types.js';
import { storeIdentity } from './store-identity.js';

/** The options but the bond store, which the host may open itself once it knows our identity. */
function withoutBondStore(options: HostOptions): Omit<HostOptions, 'bondStore'> {
  const { bondStore: _, ...rest } = options;
  return rest;
}

interface LinkIo {
  readonly connection: Connection;
  readonly reassembler: L2capReassembler;
  /** ACL packets queued so far on the link, and completed so far. */
  queued: number;
  completed: number;
  /** The queued count after the last SMP PDU, while it is not yet completed. */
  smpAckAt: number | undefined;
}

interface PendingConnect {
  readonly resolve: (connection: Connection) => void;
  readonly reject: (error: Error) => void;
  timer: unknown;
  cancelled: boolean;
}

/** How long HCI Reset may take by default (Linux's HCI_INIT_TIMEOUT): some controllers take seconds. */
const RESET_TIMEOUT_MS = 10_000;

const EVENT_MASK = Uint8Array.of(0x90, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x20);
// LE Connection Complete, Advertising Report, Connection Update Complete, Read Remote Features, LTK Request, Enhanced Connection Complete.
const LE_EVENT_MASK = Uint8Array.of(0x1f, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
const DEFAULT_ADVERTISING_DATA = Uint8Array.of(0x02, 0x01, 0x06);

/**
 * A Bluetooth LE host on one controller.
 * @example
 * ```ts
 * const host = await Host.open(await openTransport('hci0'));
 * host.on('connection', (c) => c.on('encrypted', () => console.log('secure')));
 * await host.startAdvertising();
 * ```
 */
export class Host extends Emitter<HostEvents> {
  readonly #transport: Transport;
  readonly #commands: CommandChannel;
  readonly #timers: Timers;
  readonly #links = new Map<number, LinkIo>();
  #flow: AclFlowControl = new AclFlowControl(1);
  #bufferSize = 27;
  #controller: ControllerInfo | undefined;
  #address: DeviceAddress = { address: new Uint8Array(6), type: 0 };
  readonly #ownAddress: OwnAddress;
  readonly #acceptParameters: NonNullable<HostOptions['acceptConnectionParameters']>;
  readonly #att: HostOptions['att'];
  /** The address on the air (for a resolvable private address, the current one) and when it was set. */
  #airAddress: DeviceAddress = this.#address;
  #airAddressSetAt = 0;
  #pendingConnect: PendingConnect | undefined;
  #closed = false;
  /** The Security Manager: pairing sessions, bonds, LTK requests. */
  readonly security: SecurityManager;

  private constructor(transport: Transport, options: HostOptions) {
    super();
    this.#transport = transport;
    this.#timers = options.timers ?? systemTimers;
    this.#ownAddress = options.ownAddress ?? { kind: 'public' };
    this.#acceptParameters = options.acceptConnectionParameters ?? true;
    this.#att = options.att;
    this.#commands = new CommandChannel(transport, {
      timers: this.#timers,
      ...(options.commandTimeoutMs !== undefined ? { timeoutMs: options.commandTimeoutMs } : {}),
    });
    this.security = new SecurityManager(
      {
        sendSmp: (handle, data) => this.#sendSmp(handle, data),
        command: (command) => this.command(command),
        emit: (handle, event) => {
          const connection = this.#links.get(handle)?.connection;
          if (!connection) return;
          switch (event.type) {
            case 'pairing':
              connection.emit('pairing', event.phase);
              this.emit('pairing', connection, event.phase);
              return;
            case 'encrypted':
              connection.emit('encrypted', event.bonded, event.bond);
              this.emit('encrypted', connection, event.bonded, event.bond);
              return;
            case 'security-request':
              connection.emit('security-request', event.authReq);
              this.emit('security-request', connection, event.authReq);
              return;
            case 'bonded':
              connection.emit('bonded', event.bond);
              return;
            case 'paired':
              connection.emit('paired', event.result, event.bond);
              this.emit('paired', connection, event.result, event.bond);
              return;
            case 'pairing-failed':
              connection.emit('pairing-failed', event.error);
              this.emit('pairing-failed', connection, event.error);
              return;
            case 'encryption-failed':
              connection.emit('encryption-failed', event.error);
              return;
          }
        },
      },
      {
        ...withoutBondStore(options),
        ...(typeof options.bondStore === 'object' ? { bondStore: options.bondStore } : {}),
        timers: this.#timers,
      },
    );
    transport.onPacket((packet) => {
      if (packet.type === 'event') {
        const decoded = decodeEvent(packet.data);
        if (decoded.ok) this.#onEvent(decoded.event);
      } else if (packet.type === 'acl') {
        this.#onAcl(packet.data);
      }
    });
    transport.onClose(() => this.#teardown());
  }

  /**
   * Opens a host on a transport: HCI Reset (given up to 10 s), then what the
   * controller is and can do (Read Local Version Information, Read Local
   * Supported Commands, LE Read Local Supported Features, LE Read Buffer Size
   * or Read Buffer Size when LE shares the BR/EDR buffers, and the list sizes
   * and data length when the controller lists those commands: see
   * {@link Host.controller}), Read BD_ADDR, Set Event Mask, LE Set Event Mask.
   * Rejects with the first command's error, or when the controller lacks LE.
   * @example
   * ```ts
   * const host = await Host.open(transport, { commandTimeoutMs: 1000, delegate: acceptAll });
   * console.log(host.addressString);
   * ```
   */
  static async open(transport: Transport, options: HostOptions = {}): Promise<Host> {
    const host = new Host(transport, options);
    try {
      await host.#startUp(options);
    } catch (error) {
      host.#teardown();
      throw error;
    }
    return host;
  }

  async #startUp(options: HostOptions): Promise<void> {
    // Some controllers take seconds to reset (Linux waits up to 10 s during initialisation).
    await this.#commands.send(
      { name: 'reset' },
      { timeoutMs: options.resetTimeoutMs ?? options.commandTimeoutMs ?? RESET_TIMEOUT_MS },
    );
    const info = await readControllerInfo((command) => this.command(command));
    this.#controller = info;
    const bdAddr = await this.command({ name: 'read-bd-addr' });
    if (bdAddr.kind === 'read-bd-addr') this.#address = { address: bdAddr.address, type: 0 };
    await this.command({ name: 'set-event-mask', eventMask: EVENT_MASK });
    await this.command({ name: 'le-set-event-mask', leEventMask: LE_EVENT_MASK });
    this.#bufferSize = info.aclBuffers.size;
    this.#flow = new AclFlowControl(info.aclBuffers.count);
    const own = this.#ownAddress;
    if (own.kind === 'static') {
      const address =
        typeof own.address === 'string' ? parseAddress(own.address) : Uint8Array.from(own.address);
      const candidate: DeviceAddress = { address, type: 1 };
      if (address.length !== 6 || !isIdentityAddress(candidate)) {
        throw new TypeError(
          `${formatAddress(address)} is not a static random address (its two most significant bits must be 11, the rest neither all 0 nor all 1)`,
        );
      }
      this.#address = candidate;
    }
    this.#airAddress = this.#address;
    if (typeof options.bondStore === 'function') this.security.setBondStore(options.bondStore(this.#address));
    // The identity defaults to our identity address, with the bond store's IRK (made once, then kept),
    // read only when first needed: a store file is not created by a run that never uses the IRK.
    this.security.setIdentity(options.identity ?? storeIdentity(this.#address, this.security.bonds));
    if (own.kind === 'static')
      await this.command({ name: 'le-set-random-address', randomAddress: this.#address.address });
    await this.#renewAirAddress();
  }

  /** Our identity address (6 octets, wire order): the public address from Read BD_ADDR, or our static random address. */
  get address(): DeviceAddress {
    return this.#address;
  }

  /** The address we use on the air now: our identity address, or our current resolvable private address. */
  get airAddress(): DeviceAddress {
    return this.#airAddress;
  }

  /** Resolvable private addresses: makes a new one when none is set or the current one is older than `rotateMs`. */
  async #renewAirAddress(): Promise<void> {
    const own = this.#ownAddress;
    if (own.kind !== 'resolvable') return;
    const now = Date.now();
    if (this.#airAddress.type === 1 && now - this.#airAddressSetAt < (own.rotateMs ?? 15 * 60_000)) return;
    const rpa = this.security.makeResolvablePrivateAddress();
    await this.command({ name: 'le-set-random-address', randomAddress: rpa.address });
    this.#airAddress = rpa;
    this.#airAddressSetAt = now;
  }

  /**
   * Our LE Secure Connections OOB data for the peer, at our public address
   * (see {@link SecurityManager.localOobData}); the peer passes it to
   * `security.addPeerOobData()` or `pair({ oob: { peer } })`.
   * @example
   * ```ts
   * peripheral.security.addPeerOobData(central.localOobData());
   * ```
   */
  localOobData(): ScOobData {
    return this.security.localOobData(this.#airAddress);
  }

  /** Our address as printed, `aa:bb:cc:dd:ee:ff`. */
  get addressString(): string {
    return formatAddress(this.#address.address);
  }

  /**
   * What the host found out about its controller at start-up (version, supported commands, LE
   * features, buffers); see {@link describeController} for it in words.
   */
  get controller(): ControllerInfo {
    return this.#controller!;
  }

  /** The controller's LE ACL buffers: payload octets per packet, and packets. */
  get buffers(): { readonly size: number; readonly count: number } {
    return { size: this.#bufferSize, count: this.#flow.total };
  }

  /** Connections that are up. */
  get connections(): Connection[] {
    return [...this.#links.values()].map((l) => l.connection);
  }

  /**
   * Sends one HCI command and waits for its answer. Once the host knows the
   * controller's Supported Commands, a command it does not list is not sent:
   * the promise rejects with an {@link UnsupportedCommandError}.
   * @example
   * ```ts
   * await host.command({ name: 'le-set-advertising-enable', enable: false });
   * ```
   */
  command(command: HciCommand): Promise<ReturnParameters> {
    const info = this.#controller;
    if (info && !supportsCommand(info, command.name)) {
      return Promise.reject(new UnsupportedCommandError(COMMAND_OPCODE[command.name]));
    }
    return this.#commands.send(command);
  }

  /**
   * Starts connectable undirected advertising.
   * @example
   * ```ts
   * await host.startAdvertising({ intervalMs: 50 });
   * ```
   */
  async startAdvertising(options: AdvertisingOptions = {}): Promise<void> {
    const interval = Math.min(0x4000, Math.max(0x20, Math.round((options.intervalMs ?? 100) / 0.625)));
    await this.#renewAirAddress();
    await this.command({
      name: 'le-set-advertising-parameters',
      advertisingIntervalMin: interval,
      advertisingIntervalMax: interval,
      advertisingType: 0x00,
      ownAddressType: this.#airAddress.type,
      peerAddressType: 0x00,
      peerAddress: new Uint8Array(6),
      advertisingChannelMap: 0x07,
      advertisingFilterPolicy: 0x00,
    });
    await this.command({
      name: 'le-set-advertising-data',
      advertisingData: options.data ?? DEFAULT_ADVERTISING_DATA,
    });
    if (options.scanResponse) {
      await this.command({ name: 'le-set-scan-response-data', scanResponseData: options.scanResponse });
    }
    await this.command({ name: 'le-set-advertising-enable', enable: true });
  }

  /**
   * Starts scanning: every advertising report becomes an `advertisement`
   * event, with the advertiser's identity when its RPA resolves through a bond.
   * @example
   * ```ts
   * host.on('advertisement', (ad) => console.log(formatAddress(ad.peer.address), ad.rssi));
   * await host.startScanning({ active: true });
   * ```
   */
  async startScanning(options: ScanOptions = {}): Promise<void> {
    const units = (ms: number) => Math.min(0x4000, Math.max(0x04, Math.round(ms / 0.625)));
    const interval = units(options.intervalMs ?? 60);
    await this.#renewAirAddress();
    // A controller that reports nothing while scanning passively is scanned actively (controller-problems.ts).
    const silentWhenPassive = this.controller.problems.some((p) => p.id === 'passive-scan-silent');
    await this.command({
      name: 'le-set-scan-parameters',
      scanType: options.active || silentWhenPassive ? 0x01 : 0x00,
      scanInterval: interval,
      scanWindow: Math.min(interval, units(options.windowMs ?? 30)),
      ownAddressType: this.#airAddress.type,
      scanningFilterPolicy: 0x00,
    });
    await this.command({
      name: 'le-set-scan-enable',
      enable: true,
      filterDuplicates: options.filterDuplicates ?? true,
    });
  }

  /**
   * Stops scanning.
   * @example
   * ```ts
   * await host.stopScanning();
   * ```
   */
  async stopScanning(): Promise<void> {
    await this.command({ name: 'le-set-scan-enable', enable: false, filterDuplicates: false });
  }

  #onAdvertisingReport(report: AdvertisingReport): void {
    this.emit(
      'advertisement',
      advertisementOf(report, (peer) => this.security.resolveIdentity(peer)),
    );
  }

  /**
   * Stops advertising.
   * @example
   * ```ts
   * await host.stopAdvertising();
   * ```
   */
  async stopAdvertising(): Promise<void> {
    await this.command({ name: 'le-set-advertising-enable', enable: false });
  }

  /**
   * Connects to a peripheral as central; resolves on LE Connection Complete.
   * On timeout the attempt is cancelled (LE Create Connection Cancel) and the
   * promise rejects with a {@link ConnectionError}.
   * @example
   * ```ts
   * const connection = await host.connect('c0:ff:ee:00:00:01', 1, { timeoutMs: 5000 });
   * ```
   */
  async connect(
    address: Uint8Array | string,
    type: 0 | 1,
    options: ConnectOptions = {},
  ): Promise<Connection> {
    if (this.#pendingConnect) throw new ConnectionError('a connection attempt is already under way');
    const peerAddress = typeof address === 'string' ? parseAddress(address) : address;
    const timeoutMs = options.timeoutMs ?? 10_000;
    await this.#renewAirAddress();
    const result = new Promise<Connection>((resolve, reject) => {
      const pending: PendingConnect = { resolve, reject, timer: undefined, cancelled: false };
      this.#pendingConnect = pending;
      pending.timer = this.#timers.setTimeout(() => {
        if (this.#pendingConnect !== pending) return;
        pending.cancelled = true;
        this.command({ name: 'le-create-connection-cancel' }).catch(() => undefined);
        reject(
          new ConnectionError(
            `could not connect to ${formatAddress(peerAddress)} within ${timeoutMs} ms`,
            undefined,
            true,
          ),
        );
      }, timeoutMs);
    });
    result.catch(() => undefined);
    try {
      await this.command({
        name: 'le-create-connection',
        scanInterval: 0x0060,
        scanWindow: 0x0030,
        initiatorFilterPolicy: 0x00,
        peerAddressType: type,
        peerAddress,
        ownAddressType: this.#airAddress.type,
        connectionIntervalMin: 0x0018,
        connectionIntervalMax: 0x0028,
        maxLatency: 0,
        supervisionTimeout: 0x0048,
        minCeLength: 0,
        maxCeLength: 0,
      });
    } catch (error) {
      const pending = this.#pendingConnect as PendingConnect | undefined;
      if (pending) this.#timers.clearTimeout(pending.timer);
      this.#pendingConnect = undefined;
      if (error instanceof HciCommandError && error.status === HciErrorCode.ConnectionLimitExceeded) {
        // Say what the request needs, not only what the controller answered.
        throw new ConnectionError(
          `the controller refused another connection: it has ${this.#links.size} and allows no more ` +
            `(Connection Limit Exceeded, 0x09); a further connection needs a controller that allows more ` +
            `simultaneous LE connections, or disconnect one first`,
          error.status,
        );
      }
      throw error;
    }
    return result;
  }

  /**
   * Closes the host: pairings under way fail, pending commands reject, the transport closes.
   * @example
   * ```ts
   * await host.close();
   * ```
   */
  async close(): Promise<void> {
    this.#teardown();
    await this.#transport.close();
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#commands.close(new Error('the host is closed'));
    this.security.close();
    const pending = this.#pendingConnect;
    this.#pendingConnect = undefined;
    if (pending) {
      this.#timers.clearTimeout(pending.timer);
      pending.reject(new ConnectionError('the host closed during the connection attempt'));
    }
    for (const [handle, link] of this.#links) {
      this.#links.delete(handle);
      link.connection.closed(HciErrorCode.ConnectionTerminatedByLocalHost);
    }
  }

  // ------------------------------------------------------------------ events

  #onEvent(event: HciEvent): void {
    switch (event.name) {
      case 'le-connection-complete':
      case 'le-enhanced-connection-complete':
        return this.#onConnectionComplete(event);
      case 'disconnection-complete':
        if (event.status === 0) this.#onDisconnected(event.handle, event.reason);
        return;
      case 'number-of-completed-packets':
        for (const { handle, count } of event.completed) {
          const result = this.#flow.completed(handle, count);
          const link = this.#links.get(handle);
          if (!link) continue;
          link.completed += result.returned;
          if (link.smpAckAt !== undefined && link.completed >= link.smpAckAt) {
            link.smpAckAt = undefined;
            this.security.acknowledged(handle);
          }
        }
        this.#drain();
        return;
      case 'encryption-change':
        return this.security.onEncryptionChange(event.handle, event.status, event.enabled);
      case 'encryption-key-refresh-complete':
        return this.security.onEncryptionChange(event.handle, event.status, 1);
      case 'le-long-term-key-request':
        return this.security.onLtkRequest(event.handle, event.ediv, event.rand);
      case 'le-connection-update-complete':
        if (event.status === 0) {
          this.#links
            .get(event.handle)
            ?.connection.emit(
              'parameters',
              event.connectionInterval,
              event.peripheralLatency,
              event.supervisionTimeout,
            );
        }
        return;
      case 'le-read-remote-features-complete':
        this.#links.get(event.handle)?.connection.remoteFeatures(event.status, event.leFeatures);
        return;
      case 'le-advertising-report':
        for (const report of event.reports) this.#onAdvertisingReport(report);
        return;
      default:
        return;
    }
  }

  #onConnectionComplete(
    event: Extract<HciEvent, { name: 'le-connection-complete' | 'le-enhanced-connection-complete' }>,
  ): void {
    const central = event.role === 0;
    const pending = central ? this.#pendingConnect : undefined;
    if (pending) {
      this.#pendingConnect = undefined;
      this.#timers.clearTimeout(pending.timer);
    }
    if (event.status !== 0) {
      if (pending && !pending.cancelled) {
        pending.reject(
          new ConnectionError(`connection failed: ${describeHciError(event.status)}`, event.status),
        );
      }
      return;
    }
    const peer: DeviceAddress = { address: event.peerAddress, type: (event.peerAddressType & 1) as 0 | 1 };
    const connection = new Connection(this, event.handle, central ? 'central' : 'peripheral', peer);
    this.#links.set(event.handle, {
      connection,
      reassembler: new L2capReassembler(),
      queued: 0,
      completed: 0,
      smpAckAt: undefined,
    });
    this.security.addLink({ handle: event.handle, role: connection.role, local: this.#airAddress, peer });
    if (pending?.cancelled) {
      // Connected after we gave up: do not keep a link nobody holds.
      connection.disconnect().catch(() => undefined);
      return;
    }
    if (pending) pending.resolve(connection);
    else this.emit('connection', connection);
  }

  #onDisconnected(handle: number, reason: number): void {
    const link = this.#links.get(handle);
    if (!link) return;
    this.#links.delete(handle);
    this.#flow.disconnected(handle);
    this.security.removeLink(handle, reason);
    link.connection.closed(reason);
    this.emit('disconnect', link.connection, reason);
    this.#drain();
  }

  // ------------------------------------------------------------------ ACL and L2CAP

  #onAcl(bytes: Uint8Array): void {
    const decoded = decodeAcl(bytes);
    if (!decoded.ok) return;
    const { handle, pb, data } = decoded.packet;
    const link = this.#links.get(handle);
    if (!link) return;
    const result = link.reassembler.push(pb, data);
    if (!result.frame) return;
    const { cid, payload } = result.frame;
    switch (cid) {
      case FixedChannel.Smp:
        return this.security.onSmp(handle, payload);
      case FixedChannel.LeSignalling: {
        // A central accepts valid parameters (unless told otherwise) and applies them with LE Connection Update.
        const answer = leSignalling(payload, {
          role: link.connection.role,
          accept: this.#acceptParameters,
        });
        for (const response of answer.responses) this.sendL2cap(handle, FixedChannel.LeSignalling, response);
        if (answer.outcome.type === 'parameters-accepted') {
          const p = answer.outcome.parameters;
          this.command({
            name: 'le-connection-update',
            handle,
            connectionIntervalMin: p.intervalMin,
            connectionIntervalMax: p.intervalMax,
            maxLatency: p.peripheralLatency,
            supervisionTimeout: p.timeoutMultiplier,
            minCeLength: 0,
            maxCeLength: 0,
          }).catch(() => undefined);
        }
        return;
      }
      case FixedChannel.Att: {
        const answer = this.#att?.(link.connection, payload);
        // null: the handler answers later (host.sendL2cap) or not at all.
        const response = answer === undefined ? attNotSupported(payload) : answer;
        if (response) this.sendL2cap(handle, FixedChannel.Att, response);
        return;
      }
      default:
        return; // frames on channels this host does not serve are dropped (Vol 3 Part A 2.1)
    }
  }

  /**
   * Sends an L2CAP basic frame on a connection, fragmented to the controller's
   * buffer size and paced by its credits; returns the link's queued packet count after it.
   * @example
   * ```ts
   * host.sendL2cap(connection.handle, FixedChannel.Att, Uint8Array.of(0x02, 0x17, 0x00));
   * ```
   */
  sendL2cap(handle: number, cid: number, payload: Uint8Array): number {
    const link = this.#links.get(handle);
    if (!link || this.#closed) return 0;
    const packets = fragment(handle, encodeL2cap(cid, payload), this.#bufferSize);
    this.#flow.enqueue(handle, packets);
    link.queued += packets.length;
    this.#drain();
    return link.queued;
  }

  #sendSmp(handle: number, data: Uint8Array): void {
    const link = this.#links.get(handle);
    if (!link) return;
    link.smpAckAt = this.sendL2cap(handle, FixedChannel.Smp, data);
  }

  #drain(): void {
    if (this.#closed) return;
    for (let packet = this.#flow.next(); packet; packet = this.#flow.next()) {
      try {
        this.#transport.send({ type: 'acl', data: packet });
      } catch {
        return;
      }
    }
  }
}
