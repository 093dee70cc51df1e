/**
 * `ble-smp/noble`: LE Secure Connections, passkey, numeric comparison,
 * Security Request handling, bonds and re-encryption for noble on Linux HCI
 * (`@stoprocent/noble` 2.8 and `@abandonware/noble` 1.9.2-26), by putting
 * ble-smp's Security Manager between noble and its HCI socket. See
 * docs/noble-bleno.md.
 *
 * @example
 * ```ts
 * import { secureNoble } from 'ble-smp/noble';
 * const secure = secureNoble({ delegate, policy: { ioCapability: IoCapability.KeyboardDisplay } });
 * const { default: noble } = await import('@stoprocent/noble'); // after secureNoble
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
 * The noble packages and versions the adapter is tested with (`2.8.x`: any 2.8 patch).
 * @example
 * ```ts
 * TESTED_NOBLE_VERSIONS['@stoprocent/noble']; // ['2.8.x']
 * ```
 */
export const TESTED_NOBLE_VERSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '@stoprocent/noble': Object.freeze(['2.8.x']),
  '@abandonware/noble': Object.freeze(['1.9.2-26']),
});

/**
 * Gives noble ble-smp's Security Manager: call it before noble is first
 * required (`@stoprocent/noble` or `@abandonware/noble`, whichever the app
 * uses). noble's pairing (after an Insufficient Authentication answer) and a
 * peripheral's Security Request then run ble-smp's SMP: re-encryption from a
 * bond, else pairing under `policy` with `delegate`. noble hears of the
 * encryption only when it asked for it (its GATT client then repeats the
 * request that needed it); a pairing the peripheral asked for is reported by
 * the adapter's own events (`encrypted`, then `paired` once the keys are
 * distributed and kept).
 * @throws Error when noble is missing or not a tested version.
 * @example
 * ```ts
 * const secure = secureNoble({ delegate: { confirmNumber: async (n) => ask(`${n}?`) }, bondStore });
 * secure.on('paired', (_handle, peer, _result, bond) => console.log('paired', peer.address, bond ? 'and bonded' : ''));
 * ```
 */
export function secureNoble(options: SecureLibraryOptions = {}): SecureHci {
  return installSecureHci(
    {
      packages: Object.entries(TESTED_NOBLE_VERSIONS).map(([name, tested]) => ({ name, tested })),
      encryptionReports: 'when-asked',
    },
    options,
  );
}
