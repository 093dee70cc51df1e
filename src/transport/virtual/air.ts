/**
 * The medium virtual controllers share: an in-memory "air" on which they
 * advertise, scan, connect and exchange data. Everything a controller sends to
 * its host is delivered asynchronously, so hosts never re-enter themselves.
 * The air keeps indexes of who advertises at which address, who scans and
 * who is initiating a connection to which address, so that connecting and
 * announcing cost the same with 10 controllers or 10,000.
 * @module
 */
import { toHex } from '../../crypto/bytes.js';
import { VirtualController, type VirtualControllerOptions, type VirtualMedium } from './controller.js';
import type { ControllerState } from './state.js';

/** The first handle of the first controller; 0x0040 as many controllers do, so that handle 0 bugs show. */
const FIRST_HANDLE = 0x0040;
/** Each new controller's handle counter starts this far past the previous one's (mod 0x0F00). */
const HANDLE_STRIDE = 0x0100;

/** Where the air has a controller indexed now. */
interface Indexed {
  advertisingAt?: string;
  scanning?: boolean;
  initiatingTo?: string;
}

const key = (type: number, address: Uint8Array) => `${type & 1}:${toHex(address)}`;

function add(map: Map<string, Set<ControllerState>>, at: string, state: ControllerState): void {
  const set = map.get(at);
  if (set) set.add(state);
  else map.set(at, new Set([state]));
}

function remove(map: Map<string, Set<ControllerState>>, at: string, state: ControllerState): void {
  const set = map.get(at);
  if (set?.delete(state) && set.size === 0) map.delete(at);
}

const NONE: Iterable<ControllerState> = [];

/**
 * An in-memory radio medium. Each controller created on it is an independent
 * LE controller reached through its {@link Transport}; controllers on the same
 * air see each other's advertising and can connect. Each controller has its
 * own connection handles (as on real hardware), counting from a different
 * start, and the two ends of a link never share one, so a host that confuses
 * its handle with its peer's fails.
 * @example
 * ```ts
 * const air = new VirtualAir();
 * const central = air.createController();
 * const peripheral = air.createController({ address: Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0xc6) });
 * central.onPacket((packet) => console.log(packet.type, packet.data));
 * central.send({ type: 'command', data: encodeCommand({ name: 'reset' }) });
 * ```
 */
export class VirtualAir {
  /** Open controllers by public address, in the order they were created. */
  readonly #controllers = new Map<string, VirtualController>();
  readonly #advertisers = new Map<string, Set<ControllerState>>();
  readonly #scanners = new Set<ControllerState>();
  readonly #initiators = new Map<string, Set<ControllerState>>();
  #nextAddress = 1;
  #created = 0;

  readonly #medium: VirtualMedium = {
    firstHandle: () => (FIRST_HANDLE + HANDLE_STRIDE * this.#created++) % 0x0f00,
    scanners: () => this.#scanners,
    advertisers: () => [...this.#advertisers.values()].flatMap((set) => [...set]),
    advertisersAt: (type, address) => this.#advertisers.get(key(type, address)) ?? NONE,
    initiatorsFor: (type, address) => this.#initiators.get(key(type, address)) ?? NONE,
    update: (state) => this.#index(state),
    leave: (state) => {
      this.#index(state);
      this.#controllers.delete(toHex(state.address));
    },
  };

  /**
   * Puts a new controller on the air and returns the transport to it. Without
   * an address it gets the public address `00:00:00:5A:00:nn` (nn counting
   * from 01), 6 octets in wire order.
   * @throws TypeError when the address is not 6 octets; RangeError when another
   * open controller on this air has the same address, or a buffer option is out
   * of range (aclBufferSize 27 to 65535, aclBufferCount 1 to 255).
   * @example
   * ```ts
   * const controller = air.createController({ aclBufferSize: 251, aclBufferCount: 8 });
   * ```
   */
  createController(options: VirtualControllerOptions = {}): VirtualController {
    const address = options.address ?? this.#freshAddress();
    if (address instanceof Uint8Array && address.length === 6 && this.#controllers.has(toHex(address))) {
      throw new RangeError('VirtualAir: another controller on this air has the same address');
    }
    const controller = new VirtualController(this.#medium, address, options);
    this.#controllers.set(toHex(controller.address), controller);
    return controller;
  }

  /** The open controllers on the air, in the order they were created. */
  get controllers(): readonly VirtualController[] {
    return [...this.#controllers.values()];
  }

  #freshAddress(): Uint8Array {
    for (;;) {
      const n = this.#nextAddress++;
      const address = Uint8Array.of(n & 0xff, (n >> 8) & 0xff, 0x5a, 0x00, 0x00, 0x00);
      if (!this.#controllers.has(toHex(address))) return address;
    }
  }

  /** Puts `state` where its advertising, scanning and initiating say, taking it out of where it was. */
  #index(state: ControllerState): void {
    const was = (state.indexed ?? {}) as Indexed;
    const now: Indexed = {};
    if (state.open && state.advertising) {
      const own = state.ownAddress(state.advertisingParameters.ownAddressType);
      if (own) now.advertisingAt = key(own.type, own.address);
    }
    if (state.open && state.scanning) now.scanning = true;
    if (state.open && state.initiating) {
      now.initiatingTo = key(state.initiating.peerAddressType, state.initiating.peerAddress);
    }
    if (was.advertisingAt !== now.advertisingAt) {
      if (was.advertisingAt) remove(this.#advertisers, was.advertisingAt, state);
      if (now.advertisingAt) add(this.#advertisers, now.advertisingAt, state);
    }
    if (now.scanning) this.#scanners.add(state);
    else this.#scanners.delete(state);
    if (was.initiatingTo !== now.initiatingTo) {
      if (was.initiatingTo) remove(this.#initiators, was.initiatingTo, state);
      if (now.initiatingTo) add(this.#initiators, now.initiatingTo, state);
    }
    state.indexed = now.advertisingAt || now.scanning || now.initiatingTo ? now : undefined;
  }
}
