/**
 * The medium virtual controllers share: an in-memory "air" on which they
 * advertise, scan, connect and exchange data. Everything a controller sends to
 * its host is delivered asynchronously, so hosts never re-enter themselves.
 * @module
 */
import { VirtualController, type VirtualControllerOptions, type VirtualMedium } from './controller.js';

/** The first handle the air hands out; 0x0040 as many controllers do, so that handle 0 bugs show. */
const FIRST_HANDLE = 0x0040;
/** The largest Connection_Handle (Vol 4 Part E 5.4.2). */
const LAST_HANDLE = 0x0eff;

/**
 * An in-memory radio medium. Each controller created on it is an independent
 * LE controller reached through its {@link Transport}; controllers on the same
 * air see each other's advertising and can connect. Connection handles are
 * unique across the air, so a host that confuses its handle with its peer's fails.
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
  readonly #controllers = new Set<VirtualController>();
  #nextHandle = FIRST_HANDLE;
  #nextAddress = 1;

  readonly #medium: VirtualMedium = {
    controllers: () => [...this.#controllers],
    allocateHandle: () => this.#allocateHandle(),
    leave: (controller) => {
      this.#controllers.delete(controller);
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
    if (address instanceof Uint8Array && address.length === 6) {
      for (const other of this.#controllers) {
        if (same(other.address, address)) {
          throw new RangeError('VirtualAir: another controller on this air has the same address');
        }
      }
    }
    const controller = new VirtualController(this.#medium, address, options);
    this.#controllers.add(controller);
    return controller;
  }

  /** The open controllers on the air, in the order they were created. */
  get controllers(): readonly VirtualController[] {
    return [...this.#controllers];
  }

  #freshAddress(): Uint8Array {
    for (;;) {
      const n = this.#nextAddress++;
      const address = Uint8Array.of(n & 0xff, (n >> 8) & 0xff, 0x5a, 0x00, 0x00, 0x00);
      if (![...this.#controllers].some((c) => same(c.address, address))) return address;
    }
  }

  #allocateHandle(): number {
    for (let tries = 0; tries <= LAST_HANDLE; tries++) {
      const handle = this.#nextHandle;
      this.#nextHandle = handle >= LAST_HANDLE ? 0 : handle + 1;
      if (![...this.#controllers].some((c) => c.hasHandle(handle))) return handle;
    }
    throw new RangeError('VirtualAir: every connection handle is in use');
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
