/**
 * `ble-smp/bleno`: LE Secure Connections, passkey, numeric comparison,
 * bonds and answers to LE Long Term Key Requests for
 * `@abandonware/bleno` on Linux HCI, by putting ble-smp's Security Manager
 * between bleno and its HCI socket. See docs/noble-bleno.md.
 *
 * @example
 * ```ts
 * import { secureBleno } from 'ble-smp/bleno';
 * const secure = secureBleno({ delegate, policy: { ioCapability: IoCapability.KeyboardDisplay } });
 * const { default: bleno } = await import('@abandonware/bleno'); // after secureBleno
 * ```
 * @module
 */
import { installSecureHci, type SecureLibraryOptions } from '../shared/install.js';
import type { SecureHci } from '../shared/secure-hci.js';

export { type DeviceListener, HciDevice, type MgmtLongTermKey } from '../shared/hci-device.js';
export type { SecureLibraryOptions } from '../shared/install.js';
export { provideHciSocket } from '../shared/require-hook.js';
export { SecureHci, type SecureHciEvents } from '../shared/secure-hci.js';
export type { HciDeviceInfo, HciSocketClass, HciSocketLike } from '../shared/socket-api.js';
export { addHciDevice, removeHciDevices, TransportHciSocket } from '../shared/transport-socket.js';

/**
 * The bleno versions the adapter is tested with.
 * @example
 * ```ts
 * TESTED_BLENO_VERSIONS.includes('0.6.2'); // true
 * ```
 */
export const TESTED_BLENO_VERSIONS: readonly string[] = Object.freeze(['0.6.2']);

/**
 * Gives bleno ble-smp's Security Manager: call it before bleno is first
 * required. A central's Pairing Request is then answered by ble-smp's SMP
 * under `policy` with `delegate`, bonds are kept, and LE Long Term Key
 * Requests are answered from them (bleno itself never answers them).
 * @throws Error when bleno is missing or not a tested version.
 * @example
 * ```ts
 * const secure = secureBleno({ delegate: { confirmNumber: async (n) => ask(`${n}?`) }, bondStore });
 * secure.on('bonded', (_handle, peer) => console.log('bonded with', peer.address));
 * ```
 */
export function secureBleno(options: SecureLibraryOptions = {}): SecureHci {
  return installSecureHci({ name: '@abandonware/bleno', tested: TESTED_BLENO_VERSIONS }, options);
}
