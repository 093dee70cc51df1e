/**
 * A `@stoprocent/bleno` 0.12 peripheral with one characteristic that is
 * readable only over an encrypted link. `secureBleno()` gives bleno
 * ble-smp's Security Manager: a central pairs by LE Secure Connections
 * (Numeric Comparison, confirmed by the delegate), the bond is kept (in
 * memory unless a `bondStore` is given), and on reconnection the LE Long
 * Term Key Request is answered from it. The bleno code is what it would be
 * without the adapter (its Promise API).
 *
 *   npm install ble-smp @stoprocent/bleno @stoprocent/bluetooth-hci-socket
 *   sudo btmgmt --index 0 power off && npx tsx examples/bleno-secure-peripheral.ts
 *
 * (bluetoothd lets go of hci0 once it is powered off, or after `sudo systemctl stop bluetooth`;
 * the process needs CAP_NET_ADMIN for the HCI user channel: run it with sudo, or give node the
 * capability as docs/raspberry-pi.md shows. examples/abandonware-bleno-secure-peripheral.ts is the
 * same app for `@abandonware/bleno`.)
 */
import type { BondStore } from 'ble-smp';
import { type HciSocketLike, type SecureHci, secureBleno } from 'ble-smp/bleno';
import { acceptAll, formatAddress, IoCapability } from 'ble-smp/smp';

/**
 * The service the peripheral offers (a 128-bit UUID, as bleno writes it).
 * @example
 * ```ts
 * await peripheral.discoverServicesAsync([SECRET_SERVICE]); // from noble
 * ```
 */
export const SECRET_SERVICE = '5e0a0000b1e5400c8a2b3c4d5e6f7a8b';
/**
 * Its one characteristic: readable, over an encrypted link only.
 * @example
 * ```ts
 * const uuid = Buffer.from(SECRET_CHARACTERISTIC, 'hex').reverse(); // wire order, for ATT
 * ```
 */
export const SECRET_CHARACTERISTIC = '5e0a0001b1e5400c8a2b3c4d5e6f7a8b';

type Bleno = import('@stoprocent/bleno').Bleno;

/**
 * What {@link startSecurePeripheral} runs.
 * @example
 * ```ts
 * const { secure, close } = await startSecurePeripheral();
 * secure.on('paired', (_handle, peer) => console.log('paired with', peer.address));
 * ```
 */
export interface SecurePeripheral {
  /** The adapter: its Security Manager holds the bonds; its events report each pairing. */
  readonly secure: SecureHci;
  readonly bleno: Bleno;
  /** Stops advertising and drops the connection, if any. */
  close(): Promise<void>;
}

/**
 * Starts the peripheral: secures bleno, then sets its service and advertises as `name`.
 * @example
 * ```ts
 * const peripheral = await startSecurePeripheral({ name: 'thermostat', value: '21.5 C' });
 * ```
 */
export async function startSecurePeripheral(
  options: {
    name?: string;
    value?: string;
    bondStore?: BondStore;
    /** The HCI socket underneath (default: the native one of the installed socket package). */
    socket?: () => HciSocketLike;
    log?: (line: string) => void;
  } = {},
): Promise<SecurePeripheral> {
  const log = options.log ?? console.log;
  const secure = secureBleno({
    package: '@stoprocent/bleno',
    policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
    delegate: {
      ...acceptAll,
      confirmNumber: (peer, value) => {
        log(`confirm ${String(value).padStart(6, '0')} with ${formatAddress(peer.address)}`);
        return true; // a real device asks its user here
      },
    },
    ...(options.bondStore ? { bondStore: options.bondStore } : {}),
    ...(options.socket ? { socket: options.socket } : {}),
  });
  // 'paired' once the keys are distributed and kept; 'encrypted' alone during a pairing comes before that.
  secure.on('paired', (_handle, peer) => log(`${formatAddress(peer.address)}: paired`));
  secure.on('encrypted', (_handle, peer, fromBond) => {
    if (fromBond) log(`${formatAddress(peer.address)}: encrypted with the bond`);
  });
  secure.on('error', (_handle, peer, error) => log(`${formatAddress(peer.address)}: ${error.message}`));

  // bleno is imported only now, after secureBleno() put the adapter in place of its HCI socket.
  const { default: bleno } = await import('@stoprocent/bleno');
  await bleno.waitForPoweredOnAsync();
  const characteristic = new bleno.Characteristic({
    uuid: SECRET_CHARACTERISTIC,
    properties: ['read'],
    secure: ['read'], // bleno answers Insufficient Authentication until the link is encrypted
    value: Buffer.from(options.value ?? 'hello, paired central'),
  });
  await bleno.setServicesAsync([
    new bleno.PrimaryService({ uuid: SECRET_SERVICE, characteristics: [characteristic] }),
  ]);
  await bleno.startAdvertisingAsync(options.name ?? 'secure-bleno', [SECRET_SERVICE]);
  log('advertising');
  return {
    secure,
    bleno,
    close: async () => {
      await bleno.stopAdvertisingAsync();
      bleno.disconnect();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startSecurePeripheral();
}
