/**
 * `ble-smp`: a Bluetooth LE Security Manager (SMP) and HCI host in TypeScript.
 * This entry point gathers the crypto toolbox and the HCI transports; the
 * pairing engine is at `ble-smp/smp`, and the host and bond stores join here
 * as they land.
 *
 * @example
 * ```ts
 * import { crypto, nodeBackend } from 'ble-smp';
 * crypto.setDefaultBackend(nodeBackend);
 * ```
 * @module
 */
export * as crypto from './crypto/index.js';
export { nodeBackend } from './crypto/node.js';
export {
  encodeH4,
  H4Indicator,
  type H4ParseResult,
  H4Parser,
  type HciPacket,
  type HciPacketType,
} from './hci/h4.js';
export * from './transport/index.js';
export { VERSION } from './version.js';
