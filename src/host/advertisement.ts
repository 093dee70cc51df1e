/**
 * Advertising reports as the host hands them on (HCI LE Advertising Report,
 * Core Vol 4 Part E 7.7.65.2).
 * @module
 */
import type { AdvertisingReport } from '../hci/events.js';
import type { DeviceAddress } from '../smp/delegate.js';

/** One advertising report (HCI LE Advertising Report, Vol 4 Part E 7.7.65.2) as the host hands it on. */
export interface Advertisement {
  /** The advertiser's address (6 octets, wire order) and type; its identity when its RPA resolves through a bond. */
  readonly peer: DeviceAddress;
  /** The identity its address resolves to through a bond's IRK, else its address. */
  readonly identity: DeviceAddress;
  /** `ADV_IND`, `ADV_DIRECT_IND`, `ADV_SCAN_IND`, `ADV_NONCONN_IND` or `SCAN_RSP`. */
  readonly kind: 'ADV_IND' | 'ADV_DIRECT_IND' | 'ADV_SCAN_IND' | 'ADV_NONCONN_IND' | 'SCAN_RSP' | 'unknown';
  /** Whether a central may connect to it (ADV_IND, ADV_DIRECT_IND). */
  readonly connectable: boolean;
  /** The advertising or scan response data, 0 to 31 octets. */
  readonly data: Uint8Array;
  /** dBm; undefined when the controller gave none (127). */
  readonly rssi: number | undefined;
}

/** Advertising PDU types of LE Advertising Report's Event_Type (7.7.65.2), as data. */
const ADVERTISING_KINDS: readonly Advertisement['kind'][] = [
  'ADV_IND',
  'ADV_DIRECT_IND',
  'ADV_SCAN_IND',
  'ADV_NONCONN_IND',
  'SCAN_RSP',
];

/**
 * One report as an {@link Advertisement}: the kind from the Event_Type table,
 * the advertiser's identity through `resolve` (a bond's IRK), RSSI 127 as unknown.
 * @example
 * ```ts
 * const ad = advertisementOf(report, (peer) => security.resolveIdentity(peer));
 * ```
 */
export function advertisementOf(
  report: AdvertisingReport,
  resolve: (peer: DeviceAddress) => DeviceAddress,
): Advertisement {
  const peer: DeviceAddress = { address: report.address, type: (report.addressType & 1) as 0 | 1 };
  const kind = ADVERTISING_KINDS[report.eventType] ?? 'unknown';
  return {
    peer,
    identity: resolve(peer),
    kind,
    connectable: kind === 'ADV_IND' || kind === 'ADV_DIRECT_IND',
    data: report.data,
    rssi: report.rssi === 127 ? undefined : report.rssi,
  };
}
