/**
 * `ble-smp/bleno`: LE Secure Connections, passkey, numeric comparison,
 * bonds and answers to LE Long Term Key Requests for bleno on Linux HCI
 * (`@stoprocent/bleno` 0.12 and `@abandonware/bleno` 0.6.2), by putting
 * ble-smp's Security Manager between bleno and its HCI socket. See
 * docs/noble-bleno.md.
 *
 * @example
 * ```ts
 * import { secureBleno } from 'ble-smp/bleno';
 * const secure = secureBleno({ delegate, policy: { ioCapability: IoCapability.KeyboardDisplay } });
 * const { default: bleno } = await import('@stoprocent/bleno'); // after secureBleno
 * ```
 * @module
 */
import { installSecureHci, type SecureLibraryOptions } from '../shared/install.js';
import type { SecureHci } from '../shared/secure-hci.js';

export { type DeviceListener, HciDevice, type MgmtLongTermKey } from '../shared/hci-device.js';
export type { SecureLibraryOptions } from '../shared/install.js';
export { provideHciSocket } from '../shared/require-hook.js';
export { type EncryptionReports, SecureHci, type SecureHciEvents } from '../shared/secure-hci.js';
export type { HciDeviceInfo, HciSocketClass, HciSocketLike } from '../shared/socket-api.js';
export { addHciDevice, removeHciDevices, TransportHciSocket } from '../shared/transport-socket.js';

/**
 * The bleno packages and versions the adapter is tested with (`0.12.x`: any 0.12 patch).
 * @example
 * ```ts
 * TESTED_BLENO_VERSIONS['@abandonware/bleno']; // ['0.6.2']
 * ```
 */
export const TESTED_BLENO_VERSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '@stoprocent/bleno': Object.freeze(['0.12.x']),
  '@abandonware/bleno': Object.freeze(['0.6.2']),
});

/**
 * Gives bleno ble-smp's Security Manager: call it before bleno is first
 * required (`@stoprocent/bleno` or `@abandonware/bleno`, whichever the app
 * uses). A central's Pairing Request is then answered by ble-smp's SMP
 * under `policy` with `delegate`, bonds are kept, and LE Long Term Key
 * Requests are answered from them (bleno itself never answers them).
 * @throws Error when bleno is missing or not a tested version.
 * @example
 * ```ts
 * const secure = secureBleno({ delegate: { confirmNumber: async (n) => ask(`${n}?`) }, bondStore });
 * secure.on('paired', (_handle, peer, _result, bond) => console.log('paired', peer.address, bond ? 'and bonded' : ''));
 * ```
 */
export function secureBleno(options: SecureLibraryOptions = {}): SecureHci {
  return installSecureHci(
    {
      packages: Object.entries(TESTED_BLENO_VERSIONS).map(([name, tested]) => ({ name, tested })),
      encryptionReports: 'always',
    },
    options,
  );
}
