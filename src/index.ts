/**
 * `ble-smp`: a Bluetooth LE Security Manager (SMP) and HCI host in TypeScript.
 * This entry point gathers the host (connections, pairing and re-encryption
 * over HCI), the transports, the virtual controller and the crypto toolbox;
 * the sans-I/O pairing engine is at `ble-smp/smp`.
 *
 * Under Node.js the crypto runs on `node:crypto` (OpenSSL) by default.
 *
 * @example
 * ```ts
 * import { crypto } from 'ble-smp';
 * crypto.setDefaultBackend(crypto.nobleBackend); // pure JavaScript instead of the default node:crypto
 * ```
 * @module
 */
export * as crypto from './crypto/index.js';
export { nodeBackend } from './crypto/node.js';
export * from './hci/commands.js';
export * from './hci/constants.js';
export * from './hci/events.js';
export {
  encodeH4,
  H4Indicator,
  type H4ParseResult,
  H4Parser,
  type HciPacket,
  type HciPacketType,
} from './hci/h4.js';
export * from './host/index.js';
export * from './transport/index.js';
export * from './transport/virtual/index.js';
export { VERSION } from './version.js';
