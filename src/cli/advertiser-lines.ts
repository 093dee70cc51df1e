/**
 * How `ble-smp scan` and `pair --name` print an advertiser: one JSON object,
 * or one human line.
 * @module
 */
import type { Advertiser } from '../host/advertisers.js';
import { describeAddress } from './security-events.js';

/**
 * An advertiser's fields as JSON: address and type, RSSI, connectable, name,
 * and the identity its RPA resolves to (null when unknown).
 * @example
 * ```ts
 * io.out(JSON.stringify({ type: 'device', ...advertiserJson(advertiser) }));
 * ```
 */
export function advertiserJson(advertiser: Advertiser): Record<string, unknown> {
  const address = describeAddress(advertiser.address);
  const identity = advertiser.identity && describeAddress(advertiser.identity);
  return {
    address: address.address,
    addressType: address.type,
    rssi: advertiser.rssi ?? null,
    connectable: advertiser.connectable,
    name: advertiser.name ?? null,
    identity: identity?.address ?? null,
    identityType: identity?.type ?? null,
  };
}

/**
 * An advertiser on one line: `c6:05:04:03:02:01 (random)  -60 dBm  connectable  "speaker"`,
 * then `identity ADDR (type)` when its RPA resolved. The name is printed
 * quoted and escaped as JSON, so that control characters from the air never
 * reach the terminal.
 * @example
 * ```ts
 * scanner.on('advertiser', (a) => io.out(advertiserLine(a)));
 * ```
 */
export function advertiserLine(advertiser: Advertiser): string {
  const address = describeAddress(advertiser.address);
  const rssi = advertiser.rssi === undefined ? 'RSSI ?' : `${advertiser.rssi} dBm`;
  const name = advertiser.name === undefined ? '(no name)' : JSON.stringify(advertiser.name);
  const identity = advertiser.identity && describeAddress(advertiser.identity);
  return (
    `${address.address} (${address.type})  ${rssi}  ` +
    `${advertiser.connectable ? 'connectable' : 'not connectable'}  ${name}` +
    (identity ? `  identity ${identity.address} (${identity.type})` : '')
  );
}
