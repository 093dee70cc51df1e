/**
 * The advertisers heard while scanning, sans I/O: advertising reports in,
 * "new advertiser" and "it changed" out. {@link Scanner} runs it on a host.
 * @module
 */
import { equalBytes } from '../crypto/bytes.js';
import type { DeviceAddress } from '../smp/delegate.js';
import { localName } from './ad-structures.js';
import type { Advertisement } from './advertisement.js';
import { peerKey } from './bond-store.js';

/** One advertiser as heard so far. */
export interface Advertiser {
  /** The address it was last heard on (6 octets, wire order) and its type. */
  readonly address: DeviceAddress;
  /** The identity its resolvable private address resolves to through a bond's IRK; undefined otherwise. */
  readonly identity: DeviceAddress | undefined;
  /** Its local name, from its advertising or scan response data (the last one heard); undefined until heard. */
  readonly name: string | undefined;
  /** Whether `name` is the Complete Local Name (else a Shortened Local Name). */
  readonly nameComplete: boolean;
  /** The RSSI of the last report, in dBm; undefined when the controller gave none. */
  readonly rssi: number | undefined;
  /** Whether its advertising accepts connections (ADV_IND, ADV_DIRECT_IND). */
  readonly connectable: boolean;
  /** Its last advertising data, and its last scan response data (active scanning). */
  readonly advertisingData: Uint8Array;
  readonly scanResponse: Uint8Array | undefined;
  /** When it was first and last heard, in milliseconds since the Unix epoch. */
  readonly firstHeard: number;
  readonly lastHeard: number;
}

/**
 * What can change about an advertiser that is worth reporting: its address (a
 * bonded peer on a new RPA), its name, whether it is connectable, its RSSI
 * (by at least the table's `rssiStepDb` since last reported).
 */
export type AdvertiserChange = 'address' | 'name' | 'connectable' | 'rssi';

/** What one report did to the table. */
export type AdvertiserUpdate =
  | { readonly kind: 'new'; readonly advertiser: Advertiser }
  | {
      readonly kind: 'changed';
      readonly advertiser: Advertiser;
      readonly changes: readonly AdvertiserChange[];
    }
  | { readonly kind: 'same'; readonly advertiser: Advertiser };

/** Options of an {@link AdvertiserTable}. */
export interface AdvertiserTableOptions {
  /** An RSSI change is reported when it moves this many dB from the last reported value (default 10). */
  readonly rssiStepDb?: number;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

interface Entry {
  advertiser: Advertiser;
  /** The RSSI last reported (in a `new` or an `rssi` change). */
  reportedRssi: number | undefined;
  /** Whether an advertising PDU (not only a scan response) has told whether it is connectable. */
  connectableKnown: boolean;
}

/**
 * The advertisers heard, one per identity: a bonded peer whose resolvable
 * private address resolves is one advertiser across its RPAs (a new RPA is an
 * `address` change); any other address is its own advertiser. A scan
 * response adds its data (and name) to the advertiser's; the name is kept
 * when a later PDU carries none.
 * @example
 * ```ts
 * const table = new AdvertiserTable();
 * host.on('advertisement', (ad) => {
 *   const update = table.observe(ad);
 *   if (update.kind === 'new') console.log(update.advertiser.name ?? '(no name)');
 * });
 * ```
 */
export class AdvertiserTable {
  readonly #entries = new Map<string, Entry>();
  readonly #rssiStepDb: number;
  readonly #now: () => number;

  constructor(options: AdvertiserTableOptions = {}) {
    this.#rssiStepDb = options.rssiStepDb ?? 10;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Every advertiser heard, in the order first heard.
   * @example
   * ```ts
   * for (const a of table.advertisers) console.log(formatAddress(a.address.address), a.rssi);
   * ```
   */
  get advertisers(): Advertiser[] {
    return [...this.#entries.values()].map((entry) => entry.advertiser);
  }

  /**
   * Takes one report: a new advertiser, a change worth reporting, or nothing new.
   * @example
   * ```ts
   * const update = table.observe(advertisementOf(report, (peer) => host.security.resolveIdentity(peer)));
   * if (update.kind === 'changed') console.log(update.changes); // e.g. ['name']
   * ```
   */
  observe(ad: Advertisement): AdvertiserUpdate {
    const resolved = !sameAddress(ad.identity, ad.peer);
    const key = peerKey(ad.identity);
    const now = this.#now();
    const scanResponse = ad.kind === 'SCAN_RSP';
    const entry = this.#entries.get(key);
    if (!entry) {
      const advertiser: Advertiser = {
        address: copyAddress(ad.peer),
        identity: resolved ? copyAddress(ad.identity) : undefined,
        ...nameOf(scanResponse ? undefined : ad.data, scanResponse ? ad.data : undefined, undefined),
        rssi: ad.rssi,
        connectable: !scanResponse && ad.connectable,
        advertisingData: scanResponse ? new Uint8Array(0) : ad.data.slice(),
        scanResponse: scanResponse ? ad.data.slice() : undefined,
        firstHeard: now,
        lastHeard: now,
      };
      this.#entries.set(key, { advertiser, reportedRssi: ad.rssi, connectableKnown: !scanResponse });
      return { kind: 'new', advertiser };
    }
    const before = entry.advertiser;
    const advertisingData = scanResponse ? before.advertisingData : ad.data.slice();
    const response = scanResponse ? ad.data.slice() : before.scanResponse;
    const connectable = scanResponse ? before.connectable : ad.connectable;
    const after: Advertiser = {
      ...before,
      address: copyAddress(ad.peer),
      ...nameOf(advertisingData, response, before),
      rssi: ad.rssi ?? before.rssi,
      connectable,
      advertisingData,
      scanResponse: response,
      lastHeard: now,
    };
    entry.advertiser = after;
    const changes: AdvertiserChange[] = [];
    if (!sameAddress(before.address, after.address)) changes.push('address');
    if (before.name !== after.name) changes.push('name');
    if (entry.connectableKnown && before.connectable !== after.connectable) changes.push('connectable');
    if (!scanResponse) entry.connectableKnown = true;
    if (ad.rssi !== undefined && movedBy(entry.reportedRssi, ad.rssi, this.#rssiStepDb)) {
      changes.push('rssi');
      entry.reportedRssi = ad.rssi;
    }
    return changes.length > 0
      ? { kind: 'changed', advertiser: after, changes }
      : { kind: 'same', advertiser: after };
  }
}

/** The name from the advertising data, else the scan response, else the one known before. */
function nameOf(
  advertising: Uint8Array | undefined,
  response: Uint8Array | undefined,
  before: Advertiser | undefined,
): { name: string | undefined; nameComplete: boolean } {
  const found = (advertising && localName(advertising)) ?? (response && localName(response));
  if (found) return { name: found.name, nameComplete: found.complete };
  return { name: before?.name, nameComplete: before?.nameComplete ?? false };
}

function movedBy(reported: number | undefined, rssi: number, step: number): boolean {
  return reported === undefined || Math.abs(rssi - reported) >= step;
}

function sameAddress(a: DeviceAddress, b: DeviceAddress): boolean {
  return a.type === b.type && equalBytes(a.address, b.address);
}

function copyAddress(address: DeviceAddress): DeviceAddress {
  return { address: Uint8Array.from(address.address), type: address.type };
}
