/**
 * Test doubles for the host: a scripted fake controller (a Transport whose
 * answers the test scripts with encodeEvent), and a minimal "air" joining two
 * fake controllers that relays ACL, completes packets, and runs LE encryption.
 * @module
 */
import { equalBytes } from '../../src/crypto/bytes.js';
import { decodeAcl, encodeAcl, PacketBoundary } from '../../src/hci/acl.js';
import { COMMAND_OPCODE, decodeCommand, type HciCommand } from '../../src/hci/commands.js';
import { HciErrorCode } from '../../src/hci/constants.js';
import { encodeEvent, type HciEvent, type ReturnParameters } from '../../src/hci/events.js';
import type { HciPacket } from '../../src/hci/h4.js';
import type { CloseListener, PacketListener, Transport } from '../../src/transport/transport.js';

/** How the fake answers a command: events to send, or nothing (stays silent). */
export type Script = (command: HciCommand) => HciEvent[] | undefined;

/** A Command Complete for `name` with the given return parameters (default: status 0). */
export function complete(name: HciCommand['name'], rp?: ReturnParameters, credits = 1): HciEvent {
  return {
    name: 'command-complete',
    numHciCommandPackets: credits,
    opcode: COMMAND_OPCODE[name],
    returnParameters: rp ?? { kind: 'status', status: 0 },
  };
}

/** A Command Status for `name`. */
export function status(name: HciCommand['name'], code = 0): HciEvent {
  return { name: 'command-status', status: code, numHciCommandPackets: 1, opcode: COMMAND_OPCODE[name] };
}

/** The default answers of a controller with 27-octet LE buffers, `count` of them. */
export function defaultAnswer(command: HciCommand, address: Uint8Array, count = 4): HciEvent[] {
  switch (command.name) {
    case 'read-local-version-information':
      // A Bluetooth 4.0 controller (HCI version 6) of no particular maker.
      return [
        complete('read-local-version-information', {
          kind: 'read-local-version-information',
          status: 0,
          hciVersion: 6,
          hciSubversion: 0,
          lmpVersion: 6,
          companyIdentifier: 0xffff,
          lmpSubversion: 0,
        }),
      ];
    case 'read-local-supported-commands':
      // It does not say which commands it has (as if the command were missing): the host tries them all.
      return [complete(command.name, { kind: 'status', status: HciErrorCode.UnknownHciCommand })];
    case 'le-read-local-supported-features':
      return [
        complete(command.name, {
          kind: 'le-read-local-supported-features',
          status: 0,
          leFeatures: Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0),
        }),
      ];
    case 'read-bd-addr':
      return [complete('read-bd-addr', { kind: 'read-bd-addr', status: 0, address })];
    case 'le-read-buffer-size':
      return [
        complete('le-read-buffer-size', {
          kind: 'le-read-buffer-size',
          status: 0,
          leAclDataPacketLength: 27,
          totalNumLeAclDataPackets: count,
        }),
      ];
    case 'read-buffer-size':
      return [
        complete('read-buffer-size', {
          kind: 'read-buffer-size',
          status: 0,
          aclDataPacketLength: 27,
          syncDataPacketLength: 0,
          totalNumAclDataPackets: count,
          totalNumSyncDataPackets: 0,
        }),
      ];
    case 'le-read-filter-accept-list-size':
    case 'le-read-resolving-list-size':
      // The smallest list the spec allows (Core v5.4 Vol 4 Part E 7.8.14: 0x01 to 0xFF).
      return [complete(command.name, { kind: 'list-size', status: 0, size: 1 })];
    case 'le-create-connection':
    case 'disconnect':
    case 'le-start-encryption':
      return [status(command.name)];
    case 'le-long-term-key-request-reply':
    case 'le-long-term-key-request-negative-reply':
      return [complete(command.name, { kind: 'connection-handle', status: 0, handle: command.handle })];
    default:
      return [complete(command.name)];
  }
}

/**
 * A scripted fake controller: records every packet the host sends, answers
 * commands through `script` (default {@link defaultAnswer}), and lets the test
 * inject events and ACL packets. Delivery is asynchronous (a microtask), as from a socket.
 */
export class FakeController implements Transport {
  readonly sent: HciPacket[] = [];
  readonly commands: HciCommand[] = [];
  readonly acl: Uint8Array[] = [];
  readonly #packetListeners: PacketListener[] = [];
  readonly #closeListeners: CloseListener[] = [];
  #closed = false;
  script: Script;

  constructor(
    readonly address: Uint8Array = Uint8Array.of(1, 2, 3, 4, 5, 6),
    script?: Script,
    readonly bufferCount = 4,
  ) {
    this.script = script ?? ((command) => defaultAnswer(command, this.address, this.bufferCount));
  }

  send(packet: HciPacket): void {
    if (this.#closed) throw new Error('closed');
    this.sent.push(packet);
    if (packet.type === 'command') {
      const decoded = decodeCommand(packet.data);
      if (!decoded.ok) throw new Error(decoded.message);
      this.commands.push(decoded.command);
      const answer = this.script(decoded.command);
      for (const event of answer ?? []) this.event(event);
    } else if (packet.type === 'acl') {
      this.acl.push(packet.data);
      this.onAcl?.(packet.data);
    }
  }

  /** Called with every ACL packet the host sends. */
  onAcl: ((data: Uint8Array) => void) | undefined;

  onPacket(listener: PacketListener): void {
    this.#packetListeners.push(listener);
  }

  onClose(listener: CloseListener): void {
    this.#closeListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#closeListeners) l();
  }

  /** Delivers an event to the host (asynchronously). */
  event(event: HciEvent): void {
    const data = encodeEvent(event);
    queueMicrotask(() => {
      if (!this.#closed) for (const l of this.#packetListeners) l({ type: 'event', data });
    });
  }

  /** Delivers raw event octets to the host (asynchronously): a vendor event, a malformed one. */
  raw(data: Uint8Array): void {
    queueMicrotask(() => {
      if (!this.#closed) for (const l of this.#packetListeners) l({ type: 'event', data });
    });
  }

  /** Delivers an ACL packet to the host (asynchronously). */
  aclIn(handle: number, pb: number, data: Uint8Array): void {
    const bytes = encodeAcl({ handle, pb, bc: 0, data });
    queueMicrotask(() => {
      if (!this.#closed) for (const l of this.#packetListeners) l({ type: 'acl', data: bytes });
    });
  }

  /** The names of the commands sent so far. */
  get commandNames(): string[] {
    return this.commands.map((c) => c.name);
  }
}

/** A connection complete event. */
export function connectionComplete(handle: number, role: 0 | 1, peer: Uint8Array): HciEvent {
  return {
    name: 'le-connection-complete',
    status: 0,
    handle,
    role,
    peerAddressType: 0,
    peerAddress: peer,
    connectionInterval: 0x18,
    peripheralLatency: 0,
    supervisionTimeout: 0x48,
    centralClockAccuracy: 0,
  };
}

interface Side {
  readonly fake: FakeController;
  advertising: boolean;
  handle: number;
}

/**
 * Two fake controllers joined by a minimal air: advertising and LE Create
 * Connection make a link; ACL is relayed (and completed to the sender); LE
 * Start Encryption raises an LTK Request on the peripheral, whose reply gives
 * both sides Encryption Change when the keys match and a MIC-failure
 * disconnection when they do not; a Negative Reply gives the central 0x06.
 */
export class TestAir {
  readonly a: FakeController;
  readonly b: FakeController;
  readonly #sides: Side[];
  #startKey: Uint8Array | undefined;
  /** Every ACL payload relayed, for assertions. */
  readonly relayed: { from: 'a' | 'b'; data: Uint8Array }[] = [];

  constructor() {
    const sides: Side[] = [];
    const make = (address: Uint8Array, index: number) =>
      new FakeController(address, (command) => this.#answer(sides[index]!, command));
    this.a = make(Uint8Array.of(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xc0), 0);
    this.b = make(Uint8Array.of(0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xc0), 1);
    sides.push(
      { fake: this.a, advertising: false, handle: 0 },
      { fake: this.b, advertising: false, handle: 0 },
    );
    this.#sides = sides;
    this.a.onAcl = (data) => this.#relay(sides[0]!, sides[1]!, data);
    this.b.onAcl = (data) => this.#relay(sides[1]!, sides[0]!, data);
  }

  #other(side: Side): Side {
    return this.#sides[0] === side ? this.#sides[1]! : this.#sides[0]!;
  }

  #answer(side: Side, command: HciCommand): HciEvent[] | undefined {
    const other = this.#other(side);
    const answer = defaultAnswer(command, side.fake.address, 4);
    switch (command.name) {
      case 'le-set-advertising-enable':
        side.advertising = command.enable;
        break;
      case 'le-create-connection':
        if (other.advertising && equalBytes(command.peerAddress, other.fake.address)) {
          other.advertising = false;
          side.handle = 0x0040;
          other.handle = 0x0081;
          queueMicrotask(() => {
            side.fake.event(connectionComplete(side.handle, 0, other.fake.address));
            other.fake.event(connectionComplete(other.handle, 1, side.fake.address));
          });
        }
        break;
      case 'le-create-connection-cancel':
        return [complete(command.name, { kind: 'status', status: HciErrorCode.CommandDisallowed })];
      case 'disconnect':
        queueMicrotask(() => {
          side.fake.event({
            name: 'disconnection-complete',
            status: 0,
            handle: side.handle,
            reason: HciErrorCode.ConnectionTerminatedByLocalHost,
          });
          other.fake.event({
            name: 'disconnection-complete',
            status: 0,
            handle: other.handle,
            reason: command.reason,
          });
        });
        break;
      case 'le-start-encryption':
        this.#startKey = command.ltk;
        queueMicrotask(() =>
          other.fake.event({
            name: 'le-long-term-key-request',
            handle: other.handle,
            rand: command.rand,
            ediv: command.ediv,
          }),
        );
        break;
      case 'le-long-term-key-request-reply': {
        const ok = this.#startKey !== undefined && equalBytes(this.#startKey, command.ltk);
        queueMicrotask(() => {
          for (const s of [side, other]) {
            if (ok) s.fake.event({ name: 'encryption-change', status: 0, handle: s.handle, enabled: 1 });
            else
              s.fake.event({
                name: 'disconnection-complete',
                status: 0,
                handle: s.handle,
                reason: HciErrorCode.ConnectionTerminatedMicFailure,
              });
          }
        });
        break;
      }
      case 'le-long-term-key-request-negative-reply':
        queueMicrotask(() =>
          other.fake.event({
            name: 'encryption-change',
            status: HciErrorCode.PinOrKeyMissing,
            handle: other.handle,
            enabled: 0,
          }),
        );
        break;
      default:
        break;
    }
    return answer;
  }

  #relay(from: Side, to: Side, bytes: Uint8Array): void {
    const decoded = decodeAcl(bytes);
    if (!decoded.ok) throw new Error(decoded.message);
    const { pb, data } = decoded.packet;
    this.relayed.push({ from: from === this.#sides[0] ? 'a' : 'b', data });
    to.fake.aclIn(
      to.handle,
      pb === PacketBoundary.FirstNonFlushable ? PacketBoundary.FirstFlushable : pb,
      data,
    );
    from.fake.event({ name: 'number-of-completed-packets', completed: [{ handle: from.handle, count: 1 }] });
  }
}
