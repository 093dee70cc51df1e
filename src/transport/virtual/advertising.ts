/**
 * Advertising, scanning and connection set-up between virtual controllers
 * (Core Vol 6 Part B 4.4, simplified to what a host observes): advertising
 * reports to scanners, and an initiator connecting to an advertiser at the
 * address it names. The air's indexes find scanners, advertisers and
 * initiators without looking at every controller.
 * @module
 */
import { equalBytes, toHex as hex } from '../../crypto/bytes.js';
import type { AdvertisingParameters } from '../../hci/commands.js';
import type { AdvertisingReport } from '../../hci/events.js';
import { atConnectionLimit, establish } from './links.js';
import type { ControllerState } from './state.js';

/** Advertising_Type -> Event_Type of the report it produces (7.8.5, 7.7.65.2). */
const REPORT_TYPE: Readonly<Record<number, number>> = { 0: 0x00, 1: 0x01, 2: 0x02, 3: 0x03, 4: 0x01 };
/** The RSSI every virtual report carries, in dBm. */
const RSSI = -40;
/** Advertising types that accept connections: ADV_IND and both ADV_DIRECT_IND (7.8.5). */
const CONNECTABLE: ReadonlySet<number> = new Set([0x00, 0x01, 0x04]);
const DIRECTED: ReadonlySet<number> = new Set([0x01, 0x04]);
/** Advertising types that answer scan requests: ADV_IND, ADV_SCAN_IND. */
const SCANNABLE: ReadonlySet<number> = new Set([0x00, 0x02]);

/**
 * Offers this advertiser's current PDUs to every scanner on the air.
 * @example
 * ```ts
 * announce(state); // after advertising data changed
 * ```
 */
export function announce(advertiser: ControllerState): void {
  for (const scanner of advertiser.air.scanners()) offerReports(advertiser, scanner);
}

/**
 * Sends `scanner`'s host the advertising reports it would receive from `advertiser` now.
 * @example
 * ```ts
 * offerReports(advertiser, scanner);
 * ```
 */
export function offerReports(advertiser: ControllerState, scanner: ControllerState): void {
  if (scanner === advertiser || !advertiser.advertising || !scanner.scanning) return;
  // A quirk (a Realtek ROM without its firmware): nothing reported while scanning passively.
  if (scanner.scanParameters.scanType === 0x00 && scanner.quirks.noPassiveScanReports) return;
  const parameters = advertiser.advertisingParameters;
  const own = advertiser.ownAddress(parameters.ownAddressType);
  if (own === undefined) return;
  const type = parameters.advertisingType;
  const reports: AdvertisingReport[] = [];
  const report = (eventType: number, data: Uint8Array): void => {
    reports.push({
      eventType,
      addressType: own.type,
      address: new Uint8Array(own.address),
      data,
      rssi: RSSI,
    });
  };
  if (DIRECTED.has(type)) {
    if (isTarget(scanner, parameters, scanner.scanParameters.ownAddressType)) {
      report(REPORT_TYPE[type]!, new Uint8Array(0));
    }
  } else {
    report(REPORT_TYPE[type]!, new Uint8Array(advertiser.advertisingData));
    if (scanner.scanParameters.scanType === 0x01 && SCANNABLE.has(type)) {
      report(0x04, new Uint8Array(advertiser.scanResponseData)); // SCAN_RSP
    }
  }
  const fresh = reports.filter((r) => {
    if (!scanner.filterDuplicates) return true;
    const key = `${r.eventType}:${r.addressType}:${hex(r.address)}:${hex(r.data)}`;
    scanner.reported ??= new Set();
    if (scanner.reported.has(key)) return false;
    scanner.reported.add(key);
    return true;
  });
  if (fresh.length > 0) scanner.event({ name: 'le-advertising-report', reports: fresh });
}

/** Whether directed advertising with `parameters` is aimed at `state`'s own address. */
function isTarget(
  state: ControllerState,
  parameters: AdvertisingParameters,
  ownAddressType: number,
): boolean {
  const own = state.ownAddress(ownAddressType);
  return (
    own !== undefined &&
    (parameters.peerAddressType & 1) === own.type &&
    equalBytes(parameters.peerAddress, own.address)
  );
}

/** Whether `initiator`'s pending connection accepts `advertiser`; the address it connects to when so. */
function accepts(
  initiator: ControllerState,
  advertiser: ControllerState,
): { readonly type: number; readonly address: Uint8Array } | undefined {
  const request = initiator.initiating;
  // Initiator_Filter_Policy 0x01 uses the Filter Accept List, which is empty here: it never connects.
  if (request === undefined || request.initiatorFilterPolicy !== 0x00) return undefined;
  if (advertiser === initiator || !advertiser.advertising || atConnectionLimit(advertiser)) return undefined;
  const parameters = advertiser.advertisingParameters;
  const address = advertiser.ownAddress(parameters.ownAddressType);
  if (
    address === undefined ||
    !CONNECTABLE.has(parameters.advertisingType) ||
    (request.peerAddressType & 1) !== address.type ||
    !equalBytes(request.peerAddress, address.address)
  ) {
    return undefined;
  }
  if (DIRECTED.has(parameters.advertisingType) && !isTarget(initiator, parameters, request.ownAddressType)) {
    return undefined;
  }
  return address;
}

/**
 * When initiating, connects to an advertiser on the air that accepts this initiator.
 * @example
 * ```ts
 * tryConnect(state); // after LE Create Connection
 * ```
 */
export function tryConnect(initiator: ControllerState): void {
  const request = initiator.initiating;
  if (request === undefined) return;
  for (const advertiser of initiator.air.advertisersAt(request.peerAddressType & 1, request.peerAddress)) {
    const address = accepts(initiator, advertiser);
    if (address) return establish(initiator, advertiser, request, address);
  }
}

/**
 * A controller started advertising: the initiators waiting for its address connect.
 * @example
 * ```ts
 * offerConnection(state); // after LE Set Advertising Enable
 * ```
 */
export function offerConnection(advertiser: ControllerState): void {
  const own = advertiser.ownAddress(advertiser.advertisingParameters.ownAddressType);
  if (own === undefined) return;
  for (const initiator of [...advertiser.air.initiatorsFor(own.type, own.address)]) {
    if (!advertiser.advertising) return;
    const address = accepts(initiator, advertiser);
    if (address) establish(initiator, advertiser, initiator.initiating!, address);
  }
}
