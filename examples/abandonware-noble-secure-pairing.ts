/**
 * A `@abandonware/noble` 1.9.2 central that pairs by LE Secure Connections
 * with a delegate: `secureNoble()` gives noble ble-smp's Security Manager,
 * and the noble code is what it would be without the adapter. It scans for a peripheral by
 * address, connects and discovers services; when the peripheral answers with
 * Insufficient Authentication, noble asks for security, ble-smp pairs (or
 * re-encrypts from a bond), and noble retries the discovery.
 *
 *   npm install ble-smp @abandonware/noble @abandonware/bluetooth-hci-socket
 *   sudo btmgmt --index 0 power off && npx tsx examples/abandonware-noble-secure-pairing.ts d2:a7:4c:76:f3:e0
 *
 * (bluetoothd lets go of hci0 once it is powered off, or after `sudo systemctl stop bluetooth`;
 * the process needs CAP_NET_ADMIN for the HCI user channel: run it with sudo, or give node the
 * capability as docs/raspberry-pi.md shows, which also builds `@abandonware/bluetooth-hci-socket`
 * from source. examples/noble-secure-pairing.ts is the same app for `@stoprocent/noble`.)
 */
import type { BondStore } from 'ble-smp';
import { type HciSocketLike, type SecureHci, secureNoble } from 'ble-smp/noble';
import { acceptAll, IoCapability } from 'ble-smp/smp';

type Noble = typeof import('@abandonware/noble');
type Peripheral = import('@abandonware/noble').Peripheral;

/**
 * What {@link pairWithPeripheral} reports.
 * @example
 * ```ts
 * const { fromBond, services } = await pairWithPeripheral('d2:a7:4c:76:f3:e0');
 * ```
 */
export interface SecuredPeripheral {
  readonly secure: SecureHci;
  readonly peripheral: Peripheral;
  /** True when the link was encrypted with a stored bond rather than a fresh pairing. */
  readonly fromBond: boolean;
  /** The service UUIDs noble discovered once the link was encrypted. */
  readonly services: string[];
}

/**
 * Options of {@link pairWithPeripheral}.
 * @example
 * ```ts
 * await pairWithPeripheral('d2:a7:4c:76:f3:e0', { log: (line) => logger.info(line) });
 * ```
 */
export interface PairingOptions {
  readonly bondStore?: BondStore;
  /** The HCI socket underneath (default: the native one of the installed socket package). */
  readonly socket?: () => HciSocketLike;
  readonly log?: (line: string) => void;
}

let adapter: { secure: SecureHci; noble: Noble } | undefined;

/** Secures noble once per process (noble keeps its HCI socket from its first require). */
async function securedNoble(options: PairingOptions): Promise<{ secure: SecureHci; noble: Noble }> {
  if (adapter) return adapter;
  const log = options.log ?? console.log;
  const secure = secureNoble({
    package: '@abandonware/noble',
    policy: { ioCapability: IoCapability.DisplayYesNo, requestMitm: true },
    delegate: {
      ...acceptAll,
      confirmNumber: (_peer, value) => {
        log(`confirm ${String(value).padStart(6, '0')}`);
        return true; // a real app asks its user whether the peripheral shows the same number
      },
    },
    ...(options.bondStore ? { bondStore: options.bondStore } : {}),
    ...(options.socket ? { socket: options.socket } : {}),
  });
  // noble is required only now, after secureNoble() put the adapter in place of its HCI socket.
  const { default: noble } = (await import('@abandonware/noble')) as unknown as { default: Noble };
  if (noble._state !== 'poweredOn') {
    await new Promise<void>((resolve) =>
      noble.on('stateChange', (state) => state === 'poweredOn' && resolve()),
    );
  }
  adapter = { secure, noble };
  return adapter;
}

/**
 * Scans for `address` (`aa:bb:cc:dd:ee:ff`), connects, and discovers its services over an encrypted link.
 * @example
 * ```ts
 * const { peripheral } = await pairWithPeripheral('d2:a7:4c:76:f3:e0');
 * await peripheral.disconnectAsync();
 * ```
 */
export async function pairWithPeripheral(
  address: string,
  options: PairingOptions = {},
): Promise<SecuredPeripheral> {
  const { secure, noble } = await securedNoble(options);
  const found = new Promise<Peripheral>((resolve) => {
    const onDiscover = (peripheral: Peripheral) => {
      if (peripheral.address !== address.toLowerCase()) return;
      noble.removeListener('discover', onDiscover);
      resolve(peripheral);
    };
    noble.on('discover', onDiscover);
  });
  await noble.startScanningAsync([], false);
  const peripheral = await found;
  await noble.stopScanningAsync();
  await peripheral.connectAsync();
  // The discovery completes as soon as the link is encrypted; the pairing, once the keys are kept.
  const [{ fromBond }, discovered] = await Promise.all([
    secure.secured(),
    peripheral.discoverServicesAsync([]),
  ]);
  const services = discovered.map((service) => service.uuid);
  (options.log ?? console.log)(fromBond ? 'encrypted with the bond' : 'paired');
  return { secure, peripheral, fromBond, services };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { peripheral, services } = await pairWithPeripheral(process.argv[2] ?? '');
  console.log('services:', services.join(', ') || 'none');
  await peripheral.disconnectAsync();
  process.exit(0);
}
