/**
 * The host layer: {@link Host}, {@link Connection}, the HCI command channel,
 * the Security Manager and bond stores (in memory, in a JSON file, and to and
 * from BlueZ's storage).
 * @example
 * ```ts
 * import { Host } from './host/index.js';
 * const host = await Host.open(transport);
 * ```
 * @module
 */

export type { ConnectionParameters } from '../hci/l2cap.js';
export {
  type BlueZExportOptions,
  type BlueZFormatOptions,
  type BlueZParseOptions,
  blueZAddress,
  exportBlueZ,
  formatBlueZInfo,
  importBlueZ,
  parseBlueZInfo,
} from './bluez/index.js';
export { BOND_SCHEMA_VERSION } from './bond-codec.js';
export {
  type Bond,
  type BondKey,
  type BondStore,
  MemoryBondStore,
  peerKey,
  type SigningKey,
} from './bond-store.js';
export { BondStoreError, type BondStoreErrorCode } from './bond-store-error.js';
export {
  CommandChannel,
  type CommandChannelOptions,
  commandSpecName,
  HciCommandError,
  HciTimeoutError,
  systemTimers,
  type Timers,
} from './command-channel.js';
export { Emitter, type EventMap } from './emitter.js';
export { defaultBondStorePath, FileBondStore, type FileBondStoreOptions } from './file-bond-store.js';
export {
  type Advertisement,
  type AdvertisingOptions,
  Connection,
  ConnectionError,
  type ConnectionEvents,
  type ConnectOptions,
  Host,
  type HostEvents,
  type HostOptions,
  type OwnAddress,
  parseAddress,
  type ScanOptions,
} from './host.js';
export {
  isIdentityAddress,
  isResolvablePrivateAddress,
  makeResolvablePrivateAddress,
  resolvesTo,
} from './privacy.js';
export {
  describeSmpReason,
  EncryptionError,
  PairingError,
  type PairOptions,
  type PeerOobData,
  type ScOobData,
  type SecureOptions,
  type SecurityEvent,
  type SecurityHost,
  type SecurityLink,
  SecurityManager,
  type SecurityOptions,
  type SecurityOutcome,
} from './security-manager.js';
