/**
 * `ble-smp/noble`: LE Secure Connections, passkey, numeric comparison,
 * Security Request handling, bonds and re-encryption for
 * `@abandonware/noble` on Linux HCI, by putting ble-smp's Security Manager
 * between noble and its HCI socket. See docs/noble-bleno.md.
 *
 * @example
 * ```ts
 * import { secureNoble } from 'ble-smp/noble';
 * const secure = secureNoble({ delegate, policy: { ioCapability: IoCapability.KeyboardDisplay } });
 * const { default: noble } = await import('@abandonware/noble'); // after secureNoble
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
 * The noble versions the adapter is tested with.
 * @example
 * ```ts
 * TESTED_NOBLE_VERSIONS.includes('1.9.2-26'); // true
 * ```
 */
export const TESTED_NOBLE_VERSIONS: readonly string[] = Object.freeze(['1.9.2-26']);

/**
 * Gives noble ble-smp's Security Manager: call it before noble is first
 * required. noble's pairing (after an Insufficient Authentication answer)
 * and a peripheral's Security Request then run ble-smp's SMP: re-encryption
 * from a bond, else pairing under `policy` with `delegate`.
 * @throws Error when noble is missing or not a tested version.
 * @example
 * ```ts
 * const secure = secureNoble({ delegate: { confirmNumber: async (n) => ask(`${n}?`) }, bondStore });
 * secure.on('encrypted', (_handle, _peer, bonded) => console.log(bonded ? 'from the bond' : 'paired'));
 * ```
 */
export function secureNoble(options: SecureLibraryOptions = {}): SecureHci {
  return installSecureHci({ name: '@abandonware/noble', tested: TESTED_NOBLE_VERSIONS }, options);
}
