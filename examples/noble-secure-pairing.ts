/**
 * A `@stoprocent/noble` 2.x central that pairs by LE Secure Connections with
 * a delegate: `secureNoble()` gives noble ble-smp's Security Manager, and the
 * noble code is what it would be without the adapter (its Promise API). It
 * scans for a peripheral by address, connects and discovers services; when
 * the peripheral asks for security (a Security Request, or Insufficient
 * Authentication to the discovery), ble-smp pairs (or re-encrypts from a
 * bond) and noble's discovery completes over the encrypted link.
 *
 *   npm install ble-smp @stoprocent/noble @stoprocent/bluetooth-hci-socket
 *   sudo btmgmt --index 0 power off && npx tsx examples/noble-secure-pairing.ts d2:a7:4c:76:f3:e0
 *
 * (bluetoothd lets go of hci0 once it is powered off, or after `sudo systemctl stop bluetooth`;
 * the process needs CAP_NET_ADMIN for the HCI user channel: run it with sudo, or give node the
 * capability as docs/raspberry-pi.md shows. examples/abandonware-noble-secure-pairing.ts is the
 * same app for `@abandonware/noble`.)
 */
import type { BondStore } from 'ble-smp';
import { type HciSocketLike, type SecureHci, secureNoble } from 'ble-smp/noble';
import { acceptAll, IoCapability } from 'ble-smp/smp';

type Noble = import('@stoprocent/noble').Noble;
type Peripheral = import('@stoprocent/noble').Peripheral;

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

/** Secures noble once per process (noble keeps its HCI socket from its first import). */
async function securedNoble(options: PairingOptions): Promise<{ secure: SecureHci; noble: Noble }> {
  if (adapter) return adapter;
  const log = options.log ?? console.log;
  const secure = secureNoble({
    package: '@stoprocent/noble',
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
  // noble is imported only now, after secureNoble() put the adapter in place of its HCI socket.
  const { default: noble } = await import('@stoprocent/noble');
  await noble.waitForPoweredOnAsync();
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
  await noble.startScanningAsync([], false);
  let peripheral: Peripheral | undefined;
  for await (const found of noble.discoverAsync()) {
    if (found.address === address.toLowerCase()) {
      peripheral = found;
      break;
    }
  }
  await noble.stopScanningAsync();
  if (!peripheral) throw new Error(`${address} was not found`);
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
